import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadFile, uploadObject } from '../../../src/clients/s3-upload.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-upload-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An S3 client whose `send` records each command and its body's bytes, and answers with an ETag. */
function recordingS3() {
  const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sent: Array<{ command: unknown; body: Buffer }> = [];
  s3.send = (async (command: { input: { Body?: unknown } }) => {
    const b = command.input.Body;
    const body = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b as Uint8Array);
    sent.push({ command, body });
    return { ETag: '"e"' };
  }) as unknown as S3Client['send'];
  return { s3, sent };
}

const target = { bucket: 'b', key: 'k/report.html', contentType: 'text/html' };

describe('uploads', () => {
  it('a small body is one PutObject with its key, type and bytes', async () => {
    const { s3, sent } = recordingS3();
    await uploadObject(s3, target, '<p>hi</p>');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.command).toBeInstanceOf(PutObjectCommand);
    expect((sent[0]!.command as PutObjectCommand).input).toMatchObject({
      Bucket: 'b',
      Key: 'k/report.html',
      ContentType: 'text/html',
    });
    expect(sent[0]!.body.toString()).toBe('<p>hi</p>');
  });

  it('a file is streamed from disk, byte for byte', async () => {
    const file = path.join(tmp, 'x.parquet');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    fs.writeFileSync(file, bytes);
    const { s3, sent } = recordingS3();
    await uploadFile(s3, { ...target, key: 'x.parquet' }, file);
    expect(Buffer.concat(sent.map((s) => s.body)).equals(bytes)).toBe(true);
  });

  it('an aborted signal stops the upload with an AbortError', async () => {
    const { s3, sent } = recordingS3();
    const ctl = new AbortController();
    ctl.abort(new Error('stop'));
    await expect(uploadObject(s3, target, 'x', { abortSignal: ctl.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(sent).toHaveLength(0);
  });
});
