/**
 * Which gateway a server plays (docs/protocol.md "What the client does with each gateway"): `reference`, this project's
 * gateway with every extension announced; or `original`, exactly the frames and behaviour of the
 * original gateway (for compatibility tests). Default `reference`.
 */
export type GatewayDialect = 'reference' | 'original';

/** Every dialect, for flag parsing. */
export const GATEWAY_DIALECTS: readonly GatewayDialect[] = ['reference', 'original'];
