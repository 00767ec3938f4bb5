// The inbox's icons as inline SVG built node by node: the channels' marks and a few controls.
// Inline, so they need no font and no extra request; built with createElementNS, so no markup.

const SVG = 'http://www.w3.org/2000/svg';

const CHANNEL_PATHS = {
  // A paper plane.
  telegram: [
    ['path', { d: 'M4.6 11.4 18.7 5.9c.7-.3 1.3.2 1.1 1.2l-2.4 11.3c-.2.8-.7 1-1.3.6l-3.6-2.7-1.8 1.7c-.2.2-.4.4-.8.4l.3-3.7 6.6-6c.3-.3-.1-.4-.4-.2l-8.2 5.2-3.5-1.1c-.8-.2-.8-.8.1-1.2z', fill: 'currentColor' }],
  ],
  // A handset in a speech bubble.
  whatsapp: [
    ['path', { d: 'M12 3.6a8.4 8.4 0 0 0-7.2 12.7L3.7 20.3l4.1-1.1A8.4 8.4 0 1 0 12 3.6z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.7', 'stroke-linejoin': 'round' }],
    ['path', { d: 'M9.3 8.1c.2-.3.3-.4.5-.4h.5c.2 0 .3 0 .5.4l.7 1.6c.1.2 0 .4-.1.5l-.5.6c-.1.2-.1.3 0 .5.5.8 1.1 1.4 1.9 1.8.2.1.4.1.5 0l.6-.7c.2-.2.3-.2.5-.1l1.6.8c.2.1.3.2.3.4 0 .5-.2 1.1-.7 1.4-.5.4-1.3.5-2.2.2-1.2-.4-2.3-1.2-3.2-2.2-.9-.9-1.4-2-1.6-3-.1-.8.2-1.3.6-1.8z', fill: 'currentColor' }],
  ],
  // A bolt in a speech bubble.
  messenger: [
    ['path', { d: 'M12 3.5c-4.8 0-8.5 3.5-8.5 8.1 0 2.4 1 4.5 2.7 6v2.9l2.6-1.4c1 .3 2.1.4 3.2.4 4.8 0 8.5-3.5 8.5-8S16.8 3.5 12 3.5z', fill: 'currentColor' }],
    ['path', { d: 'm6.9 14.3 3-4.8 2.8 2.2 3.4-2.2-3 4.8-2.8-2.2z', fill: '#3b6cf6' }],
  ],
  // A globe: the web chat on the merchant's site.
  web: [
    ['circle', { cx: '12', cy: '12', r: '8', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.7' }],
    ['path', { d: 'M4 12h16M12 4c2.2 2.3 3.2 5 3.2 8s-1 5.7-3.2 8c-2.2-2.3-3.2-5-3.2-8s1-5.7 3.2-8z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' }],
  ],
};

const CONTROL_PATHS = {
  back: [['path', { d: 'M15 5 8 12l7 7', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }]],
  warning: [
    ['path', { d: 'M12 4 2.8 19.5h18.4z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.8', 'stroke-linejoin': 'round' }],
    ['path', { d: 'M12 10v4.2M12 16.8v.2', stroke: 'currentColor', 'stroke-width': '1.9', 'stroke-linecap': 'round' }],
  ],
};

function svg(parts, className) {
  const root = document.createElementNS(SVG, 'svg');
  root.setAttribute('viewBox', '0 0 24 24');
  root.setAttribute('aria-hidden', 'true');
  root.setAttribute('focusable', 'false');
  if (className) root.setAttribute('class', className);
  for (const [tag, attributes] of parts) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    root.append(node);
  }
  return root;
}

/** A round badge with the channel's mark; `small` for inline use. Unknown channels get the web's. */
export function channelIcon(channel, { small = false, label = null } = {}) {
  const known = Object.hasOwn(CHANNEL_PATHS, channel) ? channel : 'web';
  const badge = document.createElement('span');
  badge.className = `channel-icon channel-${known}${small ? ' small' : ''}`;
  if (label) {
    badge.setAttribute('role', 'img');
    badge.setAttribute('aria-label', label);
  }
  badge.append(svg(CHANNEL_PATHS[known]));
  return badge;
}

/** A control's icon (`back`, `warning`). */
export function controlIcon(name) {
  return svg(CONTROL_PATHS[name] ?? []);
}
