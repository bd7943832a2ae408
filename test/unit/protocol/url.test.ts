import { buildSocketUrl } from '../../../src/protocol/url.js';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../../support/harness.js';

describe('socket URL', () => {
  it.each([
    ['https://gw.example.com', 'wss://gw.example.com/ws?chatKey=k'],
    ['http://localhost:8787', 'ws://localhost:8787/ws?chatKey=k'],
    ['wss://gw.example.com/base', 'wss://gw.example.com/base/ws?chatKey=k'],
    ['ws://127.0.0.1:9000', 'ws://127.0.0.1:9000/ws?chatKey=k'],
    ['https://gw.example.com///', 'wss://gw.example.com/ws?chatKey=k'],
    ['HTTPS://gw.example.com/', 'wss://gw.example.com/ws?chatKey=k'],
  ])('%s → %s', (gatewayUrl, expected) => {
    expect(buildSocketUrl(gatewayUrl, 'k')).toBe(expected);
  });

  it('URL-encodes the chatKey', () => {
    expect(buildSocketUrl('https://gw', 'chat 1/ä?&=#')).toBe(
      'wss://gw/ws?chatKey=chat%201%2F%C3%A4%3F%26%3D%23',
    );
  });

  it('refuses a gatewayUrl without a supported scheme', () => {
    expect(() => buildSocketUrl('ftp://gw', 'k')).toThrow(TypeError);
    expect(() => buildSocketUrl('gw.example.com', 'k')).toThrow(/must start with/);
  });

  it('is the URL the client opens, with no token in it', () => {
    const { client, latest } = createHarness({ gatewayUrl: 'https://gw.example.com/', token: 'tok-123' });
    client.connect('chat/42');
    expect(latest().url).toBe('wss://gw.example.com/ws?chatKey=chat%2F42');
    expect(latest().url).not.toContain('tok-123');
    client.dispose();
  });
});
