/**
 * HTTP routes of phone pairing. On the LAN listener only the exchange (POST /v1/pairing) is
 * mounted; offering a code, the status and revoking a phone are for the desktop's own user on
 * loopback (the UI reaches the same service over IPC or /v1/ui/call).
 */
import { z } from 'zod';
import { PairingOfferSchema, PairingStatusSchema, PairRequestSchema, PairResponseSchema } from '../../contract/pairing.js';
import { HttpError } from '../server/errorStatus.js';
import { callerOf, jsonRoute, plainRoute, type RouteContext, type RouteSpec } from '../server/router.js';
import type { PairingService } from './pairing.js';

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Pairing mints keys for the desktop's user: another user's API key on loopback may not. */
function requireOwner(ctx: RouteContext, pairing: PairingService): void {
  if (callerOf(ctx).userId !== pairing.userId) throw new HttpError(403, 'forbidden', 'Only the desktop\'s own user can pair phones.');
}

export function pairingRoutes(pairing: PairingService): RouteSpec[] {
  return [
    jsonRoute({
      method: 'POST',
      path: '/v1/pairing',
      auth: 'pairing',
      schema: PairRequestSchema,
      maxBodyBytes: 1024,
      doc: { summary: 'Exchange the one-time pairing code (from the desktop\'s QR) for this phone\'s API key; no credential needed. The code works once, expires, and is burnt after 5 wrong tries', responses: { 201: PairResponseSchema } },
      handler: async (ctx) => {
        const r = pairing.redeem(ctx.body);
        ctx.logger.info({ key_id: r.key_id, peer: ctx.req.socket.remoteAddress }, 'phone paired');
        return { status: 201, json: r };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/pairing',
      auth: 'caller',
      loopbackOnly: true,
      doc: { summary: 'LAN listener state and the paired phones', responses: { 200: PairingStatusSchema } },
      handler: async (ctx) => {
        requireOwner(ctx, pairing);
        return { status: 200, json: pairing.status() };
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/pairing/offer',
      auth: 'caller',
      loopbackOnly: true,
      schema: z.strictObject({}),
      doc: { summary: 'A new one-time pairing code and its QR (LAN URL, certificate fingerprint, code); replaces the previous code', responses: { 201: PairingOfferSchema } },
      handler: async (ctx) => {
        requireOwner(ctx, pairing);
        return { status: 201, json: await pairing.offer() };
      },
    }),
    plainRoute({
      method: 'DELETE',
      path: '/v1/pairing/devices/:id',
      auth: 'caller',
      loopbackOnly: true,
      doc: { summary: 'Unpair a phone: revoke its API key', responses: { 204: null } },
      handler: async (ctx) => {
        requireOwner(ctx, pairing);
        const id = ctx.params['id'] ?? '';
        if (!KEY_ID_PATTERN.test(id) || !pairing.revoke(id)) throw new HttpError(404, 'not_found', 'No paired phone with that key id.');
        return { status: 204 };
      },
    }),
  ];
}
