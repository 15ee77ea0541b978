import { randomUUID } from 'node:crypto';
import type { AdapterDeps } from '../adapter.js';
import { settingsOf } from '../../config.js';
import { feishuSettings, type FeishuSettings } from './settings.js';
import { badRequest, ok, unauthorized, type RawRequest, type RawResponse, type RawRoute } from '../../http/raw-route.js';
import type { BotIdentityView } from './bot-identity.js';
import { answerCardClick } from './card-callback.js';
import { UNKNOWN_BOT, classifyCardActionV1, classifyEnvelope, isCardActionV1, type Classified } from './events.js';
import { DecryptError, SIGNATURE_HEADERS, decrypt, isFresh, isRecord, tokenMatches, verifyCardV1Signature, verifySignature } from './verify.js';

export const FEISHU_EVENTS_PATH = '/webhooks/feishu/events';
/** Card callbacks (card.action.trigger): answered with a toast and, when the outcome has one, a redrawn card. */
export const FEISHU_CARDS_PATH = '/webhooks/feishu/cards';

/**
 * The HTTP receivers: verify, decrypt, claim the event in the inbox, answer 200 at once, handle it after.
 * Feishu retries anything not answered 200 within 3 s, so nothing slow happens before the answer.
 */
export function feishuWebhookRoutes(deps: AdapterDeps, identity: BotIdentityView = UNKNOWN_BOT): RawRoute[] {
  const log = deps.logger.child({ platform: 'feishu' });
  const settings = settingsOf(deps.config, feishuSettings);
  if (webhookRefused(settings)) {
    // Anyone who finds the URL could post events as any user; serve nothing rather than that.
    const refuse = (request: RawRequest): RawResponse => {
      log.error({ path: request.path }, REFUSED_MESSAGE);
      return { status: 503, json: { error: 'feishu webhook refused: no verification configured' } };
    };
    return [
      { method: 'POST', path: FEISHU_EVENTS_PATH, handle: refuse },
      { method: 'POST', path: FEISHU_CARDS_PATH, handle: refuse },
    ];
  }
  return [
    { method: 'POST', path: FEISHU_EVENTS_PATH, handle: (request) => receive(request, deps, settings, identity, log, false) },
    { method: 'POST', path: FEISHU_CARDS_PATH, handle: (request) => receive(request, deps, settings, identity, log, true) },
  ];
}

export const REFUSED_MESSAGE =
  'feishu webhook refused: set FEISHU_VERIFICATION_TOKEN and/or FEISHU_ENCRYPT_KEY (from the app console), use FEISHU_MODE=websocket, or set FEISHU_ALLOW_UNVERIFIED=true on a closed test network';

/** Webhook mode with neither a verification token nor an encrypt key accepts forged events: refused unless allowed. */
export function webhookRefused(settings: FeishuSettings): boolean {
  return !settings.verificationToken && !settings.encryptKey && !settings.allowUnverified;
}

async function receive(
  request: RawRequest,
  deps: AdapterDeps,
  settings: FeishuSettings,
  identity: BotIdentityView,
  log: AdapterDeps['logger'],
  answerCards: boolean,
): Promise<RawResponse> {
  const { clock } = deps;

  // The signature covers the bytes as sent, so keep them rather than a re-serialized parse.
  const rawBody = request.body;
  const outer = parseJson(rawBody.toString('utf8'));
  if (!isRecord(outer)) return malformed(log, request, 'body is not a JSON object');

  // The older card request URL posts plaintext v1 clicks, signed over the Verification Token rather than the key.
  if (answerCards && typeof outer.encrypt !== 'string' && isCardActionV1(outer)) {
    const unverified = verifyCardV1(request, settings, clock.now());
    if (unverified) return reject(log, request, unverified);
    return answer(classifyCardActionV1(outer, clock.now().getTime(), request.header(SIGNATURE_HEADERS.nonce) ?? randomUUID()), deps, log, answerCards);
  }

  const encryptKey = settings.encryptKey;
  let signed = false;
  if (encryptKey) {
    const timestamp = request.header(SIGNATURE_HEADERS.timestamp);
    const nonce = request.header(SIGNATURE_HEADERS.nonce);
    const signature = request.header(SIGNATURE_HEADERS.signature);
    if (timestamp || nonce || signature) {
      if (!timestamp || !nonce || !signature) return reject(log, request, 'incomplete signature headers');
      if (!isFresh(timestamp, clock.now())) return reject(log, request, `timestamp ${timestamp} is more than an hour away from now`);
      if (!verifySignature({ timestamp, nonce, signature, rawBody, encryptKey })) return reject(log, request, 'signature mismatch');
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
      return signed ? malformed(log, request, error.message) : reject(log, request, error.message);
    }
    if (!isRecord(inner)) return signed ? malformed(log, request, 'decrypted body is not a JSON object') : reject(log, request, 'undecryptable body');
    payload = inner;
  }

  // Feishu signs every event but not the URL check it sends when the request URL is saved.
  const isChallenge = payload.type === 'url_verification';
  if (encryptKey && !signed && !isChallenge) return reject(log, request, 'missing signature headers');
  if (answerCards && isCardActionV1(payload)) {
    // An encrypted v1 click, authenticated by the key's signature above; its `token` is the card-update
    // credential, not the Verification Token, so it is not compared.
    return answer(classifyCardActionV1(payload, clock.now().getTime(), request.header(SIGNATURE_HEADERS.nonce) ?? randomUUID()), deps, log, answerCards);
  }
  if (!tokenMatches(settings.verificationToken, payload)) return reject(log, request, 'verification token mismatch');

  if (isChallenge) {
    if (typeof payload.challenge !== 'string') return malformed(log, request, 'url_verification without a challenge');
    log.info('url verification answered');
    return ok({ challenge: payload.challenge });
  }

  return answer(classifyEnvelope(payload, clock.now().getTime(), identity), deps, log, answerCards);
}

/**
 * Why a plaintext v1 card callback is not authentic, or null when it is. Both official SDKs check SHA-1 over the
 * Verification Token; a signature made the events' way (SHA-256 over the Encrypt Key) is accepted too, since
 * either one needs a secret only Feishu and we hold.
 */
function verifyCardV1(request: RawRequest, settings: FeishuSettings, now: Date): string | null {
  const { verificationToken, encryptKey } = settings;
  if (!verificationToken && !encryptKey) return settings.allowUnverified ? null : 'v1 card callback cannot be verified';
  const timestamp = request.header(SIGNATURE_HEADERS.timestamp);
  const nonce = request.header(SIGNATURE_HEADERS.nonce);
  const signature = request.header(SIGNATURE_HEADERS.signature);
  if (!timestamp || !nonce || !signature) return 'v1 card callback without signature headers';
  if (!isFresh(timestamp, now)) return `timestamp ${timestamp} is more than an hour away from now`;
  const rawBody = request.body;
  if (verificationToken && verifyCardV1Signature({ timestamp, nonce, signature, verificationToken, rawBody })) return null;
  if (encryptKey && verifySignature({ timestamp, nonce, signature, encryptKey, rawBody })) return null;
  return verificationToken
    ? 'v1 card callback signature mismatch'
    : 'v1 card callback signature mismatch (old card callbacks are signed with the Verification Token: set FEISHU_VERIFICATION_TOKEN)';
}

/** What a verified, classified body gets: 200 at once, the inbox claim, and for a card click its answer. */
async function answer(classified: Classified, { bot }: AdapterDeps, log: AdapterDeps['logger'], answerCards: boolean): Promise<RawResponse> {
  if (classified.kind === 'invalid') {
    log.warn({ reason: classified.reason }, 'feishu request malformed');
    return badRequest();
  }
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

// Module functions rather than closures made per request: this is the hottest path of the server.
function reject(log: AdapterDeps['logger'], request: RawRequest, reason: string): RawResponse {
  log.warn({ reason, path: request.path, ip: request.header('x-forwarded-for') }, 'feishu request rejected');
  return unauthorized();
}

function malformed(log: AdapterDeps['logger'], request: RawRequest, reason: string): RawResponse {
  log.warn({ reason, path: request.path }, 'feishu request malformed');
  return badRequest();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
