// Preloaded (node --import) into `pinpipe provision --dry-run` by plan.test.ts: any TCP connection or
// DNS lookup fails the run. Local IPC (Unix sockets, which tsx uses for its own loader) stays allowed.
import net from 'node:net';
import dns from 'node:dns';

const fail = (what) => {
  process.stderr.write(`NETWORK ACCESS ATTEMPTED: ${what}\n`);
  process.exit(99);
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const ipc =
    typeof first === 'string' ? Number.isNaN(Number(first)) : first && typeof first.path === 'string';
  if (!ipc) fail(`net.Socket.connect ${JSON.stringify(first)}`);
  return connect.apply(this, args);
};
dns.lookup = () => fail('dns.lookup');
dns.promises.lookup = async () => fail('dns.promises.lookup');
