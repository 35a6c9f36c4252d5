import { createHmac } from 'node:crypto';
import type { Activity } from 'botbuilder';

/**
 * Personal-data redaction for stored transcripts. Every option is off by default; the
 * composition root turns them on from configuration.
 */
export interface TranscriptRedactionOptions {
  /** Drop message content entirely: text, speak, summary, attachments, value, channelData. */
  dropText?: boolean;
  /** Replace e-mail addresses in text with `[email]`. */
  maskEmails?: boolean;
  /** Replace phone numbers (9 or more digits) in text with `[phone]`; order ids are shorter. */
  maskPhoneNumbers?: boolean;
  /**
   * Replace user ids and names with a keyed hash (HMAC-SHA256), so transcripts of one user can
   * still be grouped, exported and deleted, but not read back to a person without the key.
   */
  hashUserIds?: { secret: string };
}

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;
const PHONE_CANDIDATE = /[+(]?\d[\d\s().-]{7,}\d/g;
const MIN_PHONE_DIGITS = 9;

/** Masks e-mail addresses and/or phone numbers in one string. */
export function maskText(text: string, options: TranscriptRedactionOptions): string {
  let result = text;
  if (options.maskEmails) result = result.replace(EMAIL, '[email]');
  if (options.maskPhoneNumbers) {
    result = result.replace(PHONE_CANDIDATE, (match) => (match.replace(/\D/g, '').length >= MIN_PHONE_DIGITS ? '[phone]' : match));
  }
  return result;
}

/** The stored form of a user id under these options (identity unless hashing is on). */
export function storedUserId(userId: string, options: TranscriptRedactionOptions): string {
  if (!options.hashUserIds) return userId;
  return `h:${createHmac('sha256', options.hashUserIds.secret).update(userId, 'utf8').digest('base64url')}`;
}

/** True when any option changes activities. */
export function redactsAnything(options: TranscriptRedactionOptions): boolean {
  return Boolean(options.dropText || options.maskEmails || options.maskPhoneNumbers || options.hashUserIds);
}

/**
 * Returns a redacted deep copy of `activity`; the input is never changed (the same object may
 * still be in use by the turn that logged it).
 */
export function redactActivity(activity: Partial<Activity>, options: TranscriptRedactionOptions): Partial<Activity> {
  const copy = JSON.parse(JSON.stringify(activity)) as Partial<Activity>;
  if (options.dropText) {
    for (const field of ['text', 'speak', 'summary', 'attachments', 'value', 'channelData'] as const) {
      delete copy[field];
    }
  } else if (options.maskEmails || options.maskPhoneNumbers) {
    if (typeof copy.text === 'string') copy.text = maskText(copy.text, options);
    if (typeof copy.speak === 'string') copy.speak = maskText(copy.speak, options);
    if (typeof copy.summary === 'string') copy.summary = maskText(copy.summary, options);
  }
  if (options.hashUserIds) {
    // Only the human side is hashed; the bot's own id is not personal data.
    for (const account of [copy.from, copy.recipient]) {
      if (account && account.role !== 'bot') {
        account.id = storedUserId(account.id, options);
        if (account.name) account.name = storedUserId(account.name, options);
        delete account.aadObjectId;
      }
    }
  }
  return copy;
}
