/**
 * The interactive commands of `wsx connect`: a typed line starting with '/'
 * is a command, every other line is a text message ('//' sends a line that
 * starts with a single '/'). Parsing is pure; connect.ts carries them out.
 */
import { parseHex } from './hex-preview.js';

export type SlashCommand =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ping'; readonly data: string }
  | { readonly kind: 'pong'; readonly data: string }
  | { readonly kind: 'close'; readonly code: number | undefined; readonly reason: string }
  | { readonly kind: 'binary'; readonly data: Buffer }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly message: string };

export const SLASH_HELP = [
  '/ping [data]            send a ping',
  '/pong [data]            send an unsolicited pong',
  '/close [code] [reason]  start the closing handshake (default 1000)',
  '/binary <hex>           send bytes, e.g. /binary de ad be ef',
  '/file <path>            send a file as one binary message',
  '/quit                   close with 1000 and exit',
  '/help                   this list',
  '//text                  send "/text" as a text message',
];

/** Splits '/name rest of line' into the name and the rest (leading spaces removed). */
function splitCommand(line: string): { name: string; rest: string } {
  const space = line.indexOf(' ');
  if (space === -1) return { name: line.slice(1), rest: '' };
  return { name: line.slice(1, space), rest: line.slice(space + 1).trimStart() };
}

export function parseSlashCommand(line: string): SlashCommand {
  if (!line.startsWith('/')) return { kind: 'text', text: line };
  if (line.startsWith('//')) return { kind: 'text', text: line.slice(1) };

  const { name, rest } = splitCommand(line);
  switch (name) {
    case 'ping':
      return { kind: 'ping', data: rest };
    case 'pong':
      return { kind: 'pong', data: rest };
    case 'close':
      return parseClose(rest);
    case 'binary': {
      const data = parseHex(rest);
      if (data === null || rest.trim() === '') {
        return { kind: 'invalid', message: '/binary needs hex bytes, e.g. /binary 01 02 ff' };
      }
      return { kind: 'binary', data };
    }
    case 'file':
      if (rest.trim() === '') return { kind: 'invalid', message: '/file needs a path' };
      return { kind: 'file', path: rest.trim() };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'help':
    case '?':
      return { kind: 'help' };
    default:
      return { kind: 'invalid', message: `unknown command /${name} (type /help; '//' sends a line starting with '/')` };
  }
}

function parseClose(rest: string): SlashCommand {
  if (rest === '') return { kind: 'close', code: undefined, reason: '' };
  const { name: first, rest: reason } = splitCommand('/' + rest);
  let code = 0;
  for (let i = 0; i < first.length; i++) {
    const c = first.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || i >= 4) {
      return { kind: 'invalid', message: `/close needs a numeric code first, got '${first}'` };
    }
    code = code * 10 + (c - 0x30);
  }
  return { kind: 'close', code, reason };
}
