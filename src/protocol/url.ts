/**
 * Builds the WebSocket endpoint of a session (docs/protocol.md): `{gatewayUrl}/ws?chatKey={chatKey}`, with
 * `https:` → `wss:`, `http:` → `ws:`, `ws:`/`wss:` kept, trailing slashes dropped and the chatKey
 * URL-encoded. The token never goes in the URL.
 *
 * @example
 * buildSocketUrl('https://gw.example.com/', 'chat 1'); // 'wss://gw.example.com/ws?chatKey=chat%201'
 */
export function buildSocketUrl(gatewayUrl: string, chatKey: string): string {
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
  return `${base}/ws?chatKey=${encodeURIComponent(chatKey)}`;
}
