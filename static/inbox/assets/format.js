// How the inbox words things: channel names, who a visitor is, where they came from, and
// times in the operator's own locale.

const CHANNEL_NAMES = { web: 'Web chat', telegram: 'Telegram', whatsapp: 'WhatsApp', messenger: 'Messenger' };

/** The channel's display name. */
export function channelName(channel) {
  return CHANNEL_NAMES[channel] ?? String(channel ?? 'Unknown channel');
}

/** Who the visitor is: their name, else the merchant's customer id, else a numbered visitor. */
export function visitorName(conversation) {
  return conversation.visitor || conversation.customer || `Visitor #${conversation.id}`;
}

/** Initials for an avatar. */
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? '?')[0];
  return letters.toUpperCase();
}

/** A referrer URL's host, or the text as it is. */
function host(referrer) {
  try {
    return new URL(referrer).host || referrer;
  } catch {
    return referrer;
  }
}

/** The source in one short line: campaign · page · referrer host, or "Direct visit". */
export function sourceLine(source) {
  if (!source) return 'Direct visit';
  const parts = [source.campaign, source.page, source.referrer && `via ${host(source.referrer)}`];
  const line = parts.filter(Boolean).join(' · ');
  return line || 'Direct visit';
}

/** The source as labelled details, for the conversation's header. */
export function sourceDetails(source) {
  if (!source) return [['Source', 'Direct visit']];
  const details = [];
  if (source.campaign) details.push(['Campaign', source.campaign]);
  if (source.page) details.push(['Page', source.page]);
  if (source.referrer) details.push(['Referrer', host(source.referrer)]);
  return details.length ? details : [['Source', 'Direct visit']];
}

const locale = navigator.language || 'en';
const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short' });
const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
const fullDate = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
const longDay = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' });
const exact = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Whole days between `date` and today (0 today, 1 yesterday). */
function daysAgo(date, now = new Date()) {
  return Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
}

/** A time for the list: 14:32 today, Yesterday, a weekday this week, else a date. */
export function listTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const days = daysAgo(date);
  if (days <= 0) return clock.format(date);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday.format(date);
  return date.getFullYear() === new Date().getFullYear() ? dayMonth.format(date) : fullDate.format(date);
}

/** A message's time of day. */
export function messageTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : clock.format(date);
}

/** The full date and time, for a tooltip. */
export function exactTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : exact.format(date);
}

/** The day a message belongs to, as a heading: Today, Yesterday, or the date. */
export function dayLabel(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const days = daysAgo(date);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return longDay.format(date);
}

/** A day key to tell when the day changes between two messages. */
export function dayKey(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : String(startOfDay(date));
}

/** How long until `iso`, roughly: "in 3 h", "in 25 min", "in less than a minute". */
export function timeUntil(iso) {
  const minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60_000);
  if (!Number.isFinite(minutes)) return '';
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 90) return `in ${minutes} min`;
  return `in ${Math.round(minutes / 60)} h`;
}
