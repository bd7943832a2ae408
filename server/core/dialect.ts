import { GATEWAY_CAPABILITIES } from '../../src/protocol/types.js';

/**
 * Which gateway a server plays (SPEC §3 "Dialects and extensions"): `reference`, this project's
 * gateway with every extension announced; or `original`, exactly the frames and behaviour of the
 * original gateway (for compatibility tests). Default `reference`.
 */
export type GatewayDialect = 'reference' | 'original';

/** Every dialect, for flag parsing. */
export const GATEWAY_DIALECTS: readonly GatewayDialect[] = ['reference', 'original'];

const announced = JSON.stringify({ capabilities: GATEWAY_CAPABILITIES, type: 'auth_success' });

/** The encoded `auth_success` of a dialect: bare for the original, with every capability for ours. */
export function authSuccessFrame(dialect: GatewayDialect): string {
  return dialect === 'original' ? '{"type":"auth_success"}' : announced;
}
