/**
 * The WebSocket base of a gateway URL: `https:` → `wss:`, `http:` → `ws:`, `ws:`/`wss:` kept,
 * trailing slashes dropped. Throws a `TypeError` naming the URL for any other scheme.
 */
export function socketBase(gatewayUrl: string): string {
  const base = gatewayUrl
    .trim()
    .replace(/^https:/i, 'wss:')
    .replace(/^http:/i, 'ws:')
    .replace(/\/+$/, '');
  if (!/^wss?:\/\//i.test(base)) {
    throw new TypeError(
      `gatewayUrl must start with http://, https://, ws:// or wss:// (got "${gatewayUrl}")`,
    );
  }
  return base;
}

/**
 * Builds the WebSocket endpoint of a session (docs/protocol.md): `{gatewayUrl}/ws?chatKey={chatKey}`, with
 * the scheme mapped by {@link socketBase} and the chatKey URL-encoded. The token never goes in the URL.
 *
 * @example
 * buildSocketUrl('https://gw.example.com/', 'chat 1'); // 'wss://gw.example.com/ws?chatKey=chat%201'
 */
export function buildSocketUrl(gatewayUrl: string, chatKey: string): string {
  return `${socketBase(gatewayUrl)}/ws?chatKey=${encodeURIComponent(chatKey)}`;
}
