import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { parsePort } from '../context.ts';
import { startProxy } from '../../proxy/index.ts';

/** `pinpipe proxy`: serves the REST Proxy v2 produce API until SIGINT/SIGTERM, then drains. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('proxy')
    .description('Serve the Kafka REST Proxy v2 produce API (Confluent-compatible) in front of Kafka')
    .option('--host <host>', 'address to listen on (default: profile proxy.host, 127.0.0.1)')
    .option(
      '--port <port>',
      'port to listen on, 0 for any free port (default: profile proxy.port, 8082)',
      parsePort('--port'),
    )
    .action(async (opts: { host?: string; port?: number }) => {
      const { profile } = ctx.profile();
      const proxy = await startProxy({ profile, host: opts.host, port: opts.port, logger: ctx.logger });
      ctx.out(proxy.url);
      if (!ctx.signal.aborted) {
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      await proxy.close();
    });
}
