import type { AdapterDeps } from '../adapter.js';
import { badRequest, ok, unauthorized, type RawRequest, type RawResponse, type RawRoute } from '../../http/raw-route.js';
import { answerCardClick } from './card-callback.js';
import { classifyEnvelope } from './events.js';
import { DecryptError, SIGNATURE_HEADERS, decrypt, isFresh, isRecord, tokenMatches, verifySignature } from './verify.js';

export const FEISHU_EVENTS_PATH = '/webhooks/feishu/events';
/** Card callbacks (card.action.trigger): answered with a toast and, when the outcome has one, a redrawn card. */
export const FEISHU_CARDS_PATH = '/webhooks/feishu/cards';

/**
 * The HTTP receivers: verify, decrypt, claim the event in the inbox, answer 200 at once, handle it after.
 * Feishu retries anything not answered 200 within 3 s, so nothing slow happens before the answer.
 */
export function feishuWebhookRoutes(deps: AdapterDeps): RawRoute[] {
  const log = deps.logger.child({ platform: 'feishu' });
  return [
    { method: 'POST', path: FEISHU_EVENTS_PATH, handle: (request) => receive(request, deps, log, false) },
    { method: 'POST', path: FEISHU_CARDS_PATH, handle: (request) => receive(request, deps, log, true) },
  ];
}

async function receive(
  request: RawRequest,
  { bot, config, clock }: AdapterDeps,
  log: AdapterDeps['logger'],
  answerCards: boolean,
): Promise<RawResponse> {
  const reject = (reason: string) => {
    log.warn({ reason, path: request.path, ip: request.header('x-forwarded-for') }, 'feishu request rejected');
    return unauthorized();
  };
  const malformed = (reason: string) => {
    log.warn({ reason, path: request.path }, 'feishu request malformed');
    return badRequest();
  };

  // The signature covers the bytes as sent, so keep them rather than a re-serialized parse.
  const rawBody = request.body;
  const outer = parseJson(rawBody.toString('utf8'));
  if (!isRecord(outer)) return malformed('body is not a JSON object');

  const encryptKey = config.FEISHU_ENCRYPT_KEY;
  let signed = false;
  if (encryptKey) {
    const timestamp = request.header(SIGNATURE_HEADERS.timestamp);
    const nonce = request.header(SIGNATURE_HEADERS.nonce);
    const signature = request.header(SIGNATURE_HEADERS.signature);
    if (timestamp || nonce || signature) {
      if (!timestamp || !nonce || !signature) return reject('incomplete signature headers');
      if (!isFresh(timestamp, clock.now())) return reject(`timestamp ${timestamp} is more than an hour away from now`);
      if (!verifySignature({ timestamp, nonce, signature, rawBody, encryptKey })) return reject('signature mismatch');
      signed = true;
    }
  }

  let payload: Record<string, unknown> = outer;
  if (typeof outer.encrypt === 'string') {
    if (!encryptKey) {
      log.error('received an encrypted event but FEISHU_ENCRYPT_KEY is not set');
      return badRequest();
    }
    let inner: unknown;
    try {
      inner = parseJson(decrypt(outer.encrypt, encryptKey));
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      // Unsigned garbage is an unauthenticated request; signed garbage is a broken one.
      return signed ? malformed(error.message) : reject(error.message);
    }
    if (!isRecord(inner)) return signed ? malformed('decrypted body is not a JSON object') : reject('undecryptable body');
    payload = inner;
  }

  // Feishu signs every event but not the URL check it sends when the request URL is saved.
  const isChallenge = payload.type === 'url_verification';
  if (encryptKey && !signed && !isChallenge) return reject('missing signature headers');
  if (!tokenMatches(config.FEISHU_VERIFICATION_TOKEN, payload)) return reject('verification token mismatch');

  if (isChallenge) {
    if (typeof payload.challenge !== 'string') return malformed('url_verification without a challenge');
    log.info('url verification answered');
    return ok({ challenge: payload.challenge });
  }

  const classified = classifyEnvelope(payload, clock.now().getTime());
  if (classified.kind === 'invalid') return malformed(classified.reason);
  if (classified.kind === 'ignore') {
    // Answered 200 so Feishu does not retry something we will never handle.
    log.info({ reason: classified.reason }, 'feishu event ignored');
    return ok();
  }
  const event = classified.event;
  if (answerCards && event.kind === 'card_action') return ok(await answerCardClick(bot, event, await bot.acceptGrouped(event)));
  // One INSERT claims the event; a retry or a concurrent duplicate loses it and is only acked.
  if (await bot.acceptGrouped(event)) bot.schedule(); // schedule() defers the work past this response.
  return ok();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
