import { styleText } from 'node:util';
import { readEnv } from '../../src/config/index.ts';

type Format = Parameters<typeof styleText>[0];

/** Styled text when stderr is a terminal (and not CI), plain text otherwise: logs and pipes stay clean. */
function paint(format: Format): (text: string) => string {
  return (text) => (readEnv().isTTY ? styleText(format, text, { stream: process.stderr }) : text);
}

/** The two styles the entry scripts use, named as chalk names them. */
export const chalk = { dim: paint('dim'), red: paint('red') };
