/**
 * eas-wbxml: decode EAS WBXML to XML and encode XML to WBXML, for reading
 * captures and device logs and for crafting test requests.
 *
 *   eas-wbxml decode FILE [--fragment] [--hex] [--compact]
 *   eas-wbxml encode FILE --version 16.1 [--fragment]
 *   eas-wbxml step CAPTURE N
 *
 * FILE "-" reads stdin. `--fragment` handles header-less bodies (MS-ASWBXML
 * 2.1.1 without the header, as in Horde's fixtures); `--hex` reads the input
 * as hex text (spaces allowed), the form clients write in debug logs.
 * `step` prints exchange N (1-based) of a capture file (captures/README.md).
 * Bad input prints one line to stderr and exits 2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isWbxmlError } from '../../protocol/errors.ts';
import { isProtocolVersion, PROTOCOL_VERSIONS } from '../../protocol/version.ts';
import { decodeWbxml, decodeWbxmlFragment, encodeWbxml, encodeWbxmlFragment } from '../../protocol/wbxml/index.ts';
import { fromXml, fromXmlFragment, toXml, toXmlFragment } from '../../protocol/xml/index.ts';
import { CaptureInputError, loadCapture } from '../capture/replay/load.ts';
import { formatStep } from '../capture/replay/step-view.ts';

const USAGE = `usage:
  eas-wbxml decode FILE [--fragment] [--hex] [--compact]   WBXML -> XML on stdout
  eas-wbxml encode FILE --version V [--fragment]           XML -> WBXML on stdout
  eas-wbxml step CAPTURE N                                 step N of a capture file: request and answer as XML
FILE "-" reads stdin; V is one of ${PROTOCOL_VERSIONS.join(', ')}`;

class UsageError extends Error {}

function readInput(file: string): Buffer {
  return file === '-' ? readFileSync(0) : readFileSync(file);
}

/** Hex dumps come as "03016a00", "03 01 6A 00" or, in TbSync logs, "3 1 6a 0" (one or two digits per byte). */
function fromHex(text: string): Uint8Array {
  const tokens = text.replace(/0x/gi, '').split(/[\s,:]+/).filter(Boolean);
  if (tokens.length > 1 && tokens.every((t) => /^[0-9a-fA-F]{1,2}$/.test(t))) return Uint8Array.from(tokens, (t) => Number.parseInt(t, 16));
  const clean = tokens.join('');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError('--hex input is not an even number of hex digits');
  return Buffer.from(clean, 'hex');
}

function run(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      fragment: { type: 'boolean', default: false },
      hex: { type: 'boolean', default: false },
      compact: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [command, file, ...rest] = positionals;
  if (command === 'step') {
    if (!file || rest.length !== 1 || !/^\d+$/.test(rest[0]!)) throw new UsageError('step needs a CAPTURE file and a step number');
    process.stdout.write(`${formatStep(loadCapture(file), Number(rest[0]))}\n`);
    return;
  }
  if (!command || !file || rest.length > 0) throw new UsageError('expected a command and one FILE');
  if (command === 'decode') {
    const raw = readInput(file);
    const bytes = values.hex ? fromHex(raw.toString('utf8')) : raw;
    const pretty = !values.compact;
    const xml = values.fragment ? toXmlFragment(decodeWbxmlFragment(bytes), { pretty }) : toXml(decodeWbxml(bytes), { pretty, declaration: true });
    process.stdout.write(xml.endsWith('\n') ? xml : `${xml}\n`);
  } else if (command === 'encode') {
    const version = values.version;
    if (!version || !isProtocolVersion(version)) throw new UsageError(`encode needs --version (one of ${PROTOCOL_VERSIONS.join(', ')})`);
    const xml = readInput(file).toString('utf8');
    const bytes = values.fragment ? encodeWbxmlFragment(fromXmlFragment(xml), { version }) : encodeWbxml(fromXml(xml), { version });
    process.stdout.write(bytes);
  } else {
    throw new UsageError(`unknown command ${command}`);
  }
}

try {
  run(process.argv.slice(2));
} catch (e) {
  if (isWbxmlError(e)) {
    process.stderr.write(`eas-wbxml: ${e.code}: ${e.message}\n`);
  } else if (e instanceof CaptureInputError || e instanceof RangeError) {
    process.stderr.write(`eas-wbxml: ${(e as Error).message}\n`);
  } else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`eas-wbxml: ${(e as Error).message}\n${USAGE}\n`);
  } else if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
    process.stderr.write(`eas-wbxml: cannot read ${(e as NodeJS.ErrnoException).path ?? 'input'}: ${(e as Error).message}\n`);
  } else {
    throw e;
  }
  process.exitCode = 2;
}
