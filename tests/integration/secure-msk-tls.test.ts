import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { kafkaFailure } from '../../src/clients/kafka-auth.ts';
import { loadProfile, type Profile } from '../../src/config/index.ts';
import { PinpipeError } from '../../src/errors.ts';
import { sandboxPorts } from '../../testkit/machine.ts';
import { testProfile } from '../helpers/profile.ts';

/**
 * The msk-iam client on the wire, without AWS: a TLS terminator on loopback (self-signed cert) in
 * front of the sandbox broker's SASL/OAUTHBEARER listener (9094). The AWS profile's client must open
 * TLS, negotiate OAUTHBEARER and send the MSK signer's token (read here from the decrypted stream);
 * the sandbox's unsecured validator then refuses that token, which must surface as KAFKA_AUTH_FAILED.
 * Credentials are fixed fake keys in the environment; instance metadata is disabled; nothing leaves
 * 127.0.0.1.
 */
const FAKE = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-msk-tls-'));
const saved: Record<string, string | undefined> = {};
let server: tls.Server;
let port = 0;
let cert = '';
let tlsSessions = 0;
const authMessages: string[] = [];
let cleartext = Buffer.alloc(0);

/**
 * A self-signed certificate for 127.0.0.1: openssl when installed, else keytool (always there, since
 * the sandbox needs Java for Kafka).
 */
function selfSignedCertificate(): { cert: string; serverOptions: tls.TlsOptions } {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    return { cert, serverOptions: { key: fs.readFileSync(path.join(dir, 'key.pem')), cert } };
  } catch {
    const store = path.join(dir, 'server.p12');
    const common = ['-keystore', store, '-storetype', 'PKCS12', '-storepass', 'changeit', '-alias', 'tls'];
    execFileSync(
      'keytool',
      [
        '-genkeypair',
        ...common,
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-validity',
        '1',
        '-dname',
        'CN=127.0.0.1',
        '-ext',
        'SAN=IP:127.0.0.1',
        '-keypass',
        'changeit',
      ],
      { stdio: 'ignore' },
    );
    const cert = execFileSync('keytool', ['-exportcert', '-rfc', ...common], { encoding: 'utf8' });
    return { cert, serverOptions: { pfx: fs.readFileSync(store), passphrase: 'changeit' } };
  }
}

/** An unsigned varint (Kafka's flexible versions) at `at`: its value and the offset after it. */
function uvarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = buf[at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return [value, at];
  }
}

/**
 * Kafka requests are int32 size + payload; SaslAuthenticate (key 36) carries the auth bytes after
 * the header: BYTES (int32 length) in v0/v1; in v2 (flexible) the header ends with tagged fields and
 * the bytes are COMPACT_BYTES (varint length + 1).
 */
function tap(chunk: Buffer, state: { buf: Buffer }): void {
  state.buf = Buffer.concat([state.buf, chunk]);
  while (state.buf.length >= 4 && state.buf.length >= 4 + state.buf.readInt32BE(0)) {
    const frame = state.buf.subarray(4, 4 + state.buf.readInt32BE(0));
    state.buf = state.buf.subarray(4 + frame.length);
    if (frame.readInt16BE(0) !== 36) continue;
    const version = frame.readInt16BE(2);
    const clientIdLen = frame.readInt16BE(8);
    let at = 10 + Math.max(0, clientIdLen);
    let len: number;
    if (version >= 2) {
      const [tags, afterTags] = uvarint(frame, at);
      if (tags !== 0) throw new Error('tagged fields in a SaslAuthenticate header: not expected');
      [len, at] = uvarint(frame, afterTags);
      len -= 1;
    } else {
      len = frame.readInt32BE(at);
      at += 4;
    }
    authMessages.push(frame.subarray(at, at + len).toString('utf8'));
  }
}

beforeAll(async () => {
  const creds = selfSignedCertificate();
  cert = creds.cert;
  server = tls.createServer(creds.serverOptions, (client) => {
    tlsSessions++;
    const state = { buf: Buffer.alloc(0) };
    const upstream = net.connect(sandboxPorts(testProfile()).kafkaSasl, '127.0.0.1');
    client.on('data', (d: Buffer) => {
      cleartext = Buffer.concat([cleartext, d]);
      tap(d, state);
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  for (const k of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_EC2_METADATA_DISABLED',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
  ]) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  process.env.AWS_ACCESS_KEY_ID = FAKE.id;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE.secret;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  // never the user's own files: only the fake keys above, or nothing
  process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function mskProfile(): Profile {
  const p = structuredClone(loadProfile('aws').profile);
  p.region = 'eu-west-1';
  p.kafka.brokers = [`127.0.0.1:${port}`];
  return p;
}

describe('msk-iam on the wire: TLS + OAUTHBEARER with the signer’s token', { timeout: 60_000 }, () => {
  it('opens TLS, sends a kafka-cluster:Connect token for the region, and a refusal is KAFKA_AUTH_FAILED', async () => {
    const [sessionsBefore, messagesBefore] = [tlsSessions, authMessages.length];
    const profile = mskProfile();
    // The profile's TLS, plus our self-signed CA so the handshake can verify the terminator.
    const admin = createKafkaAdmin(profile, { tls: { ca: [cert] }, retries: 0 });
    const err = await admin.metadata({ topics: [], forceUpdate: true }).then(
      () => undefined,
      (e: unknown) => kafkaFailure(e, profile),
    );
    await admin.close().catch(() => undefined);

    expect(tlsSessions - sessionsBefore).toBe(1);
    // the client's first message (RFC 7628), then its %x01 acknowledgement of the broker's refusal
    const sent = authMessages.slice(messagesBefore);
    expect(sent).toHaveLength(2);
    const SOH = '\u0001';
    const first = sent[0]!;
    expect(first.startsWith(`n,,${SOH}auth=Bearer `)).toBe(true);
    expect(first.endsWith(`${SOH}${SOH}`)).toBe(true);
    expect(sent[1]).toBe(SOH);
    const token = first.slice(`n,,${SOH}auth=Bearer `.length, -2);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${FAKE.id}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`),
    );
    expect(cleartext.toString('latin1')).not.toContain(FAKE.secret);

    expect(err).toBeInstanceOf(PinpipeError);
    expect(err!.code).toBe('KAFKA_AUTH_FAILED');
    expect(err!.message).toMatch(/authentication failed \(msk-iam\).*invalid_token/);
    expect(err!.message).toMatch(/kafka-cluster:Connect/);
    expect(err!.message).not.toContain(token);
  });

  it('without the CA the TLS handshake is refused: the client never sends a token in the clear', async () => {
    const before = authMessages.length;
    const profile = mskProfile();
    const admin = createKafkaAdmin(profile, { retries: 0 });
    const err = await admin.metadata({ topics: [], forceUpdate: true }).then(
      () => undefined,
      (e: unknown) => kafkaFailure(e, profile),
    );
    await admin.close().catch(() => undefined);
    expect(err).toBeInstanceOf(PinpipeError);
    expect(err!.code).toBe('KAFKA_UNAVAILABLE');
    expect(err!.message).toMatch(/certificate/i);
    expect(authMessages.length).toBe(before);
  });

  it('credentials that cannot be found: AWS_CREDENTIALS_MISSING with the fix, and no token is sent', async () => {
    const before = authMessages.length;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const profile = mskProfile();
      const admin = createKafkaAdmin(profile, { tls: { ca: [cert] }, retries: 0 });
      const err = await admin.metadata({ topics: [], forceUpdate: true }).then(
        () => undefined,
        (e: unknown) => kafkaFailure(e, profile),
      );
      await admin.close().catch(() => undefined);
      expect(err).toBeInstanceOf(PinpipeError);
      expect(err!.code).toBe('AWS_CREDENTIALS_MISSING');
      expect(err!.message).toMatch(/No AWS credentials found to sign the MSK IAM token.*aws configure/);
      expect(authMessages.length).toBe(before);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = FAKE.id;
      process.env.AWS_SECRET_ACCESS_KEY = FAKE.secret;
    }
  });
});
