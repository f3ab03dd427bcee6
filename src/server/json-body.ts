import type { FastifyInstance } from 'fastify';
import { WardenError } from '../core/index.js';

/** The deepest nesting of arrays and objects a request body may have (docs/control-plane.md). */
export const maxJsonDepth = 64;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function invalidBody(why: string): WardenError {
  return new WardenError('WARDEN_ERR_API_INVALID_REQUEST', why);
}

/**
 * The nesting depth of a JSON text, counted without parsing it (so without recursion): brackets
 * inside strings do not count. Stops at the first level deeper than `limit`.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses every JSON request body: refuses bytes that are not UTF-8 and nesting deeper than
 * `maxJsonDepth` with a coded 400 before anything walks the document, then parses it with
 * Fastify's own parser (which also refuses `__proto__` and `constructor` keys).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(
        invalidBody('the body is not valid UTF-8 (a byte sequence is malformed); send JSON encoded as UTF-8'),
        undefined,
      );
      return;
    }
    if (jsonDepthExceeds(text, maxJsonDepth)) {
      done(
        invalidBody(
          `the body nests arrays and objects more than ${maxJsonDepth} levels deep; flatten the document`,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, text, done);
  });
}
