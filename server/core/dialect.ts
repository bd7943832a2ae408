/**
 * Which gateway a server plays (docs/protocol.md "What the client does with each gateway"): `reference`, this project's
 * gateway with every extension announced; `original`, exactly the frames and behaviour of the
 * original gateway; or `lobehub`, LobeHub's shipped v1 gateway (docs/lobehub.md). Default `reference`.
 */
export type GatewayDialect = 'reference' | 'original' | 'lobehub';

/** Every dialect, for flag parsing. */
export const GATEWAY_DIALECTS: readonly GatewayDialect[] = ['reference', 'original', 'lobehub'];

/** The query parameter that names a socket's session: LobeHub's gateways follow an `operationId`. */
export function sessionKeyParameter(dialect: GatewayDialect): 'chatKey' | 'operationId' {
  return dialect === 'lobehub' ? 'operationId' : 'chatKey';
}
