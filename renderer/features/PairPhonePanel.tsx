import { useEffect } from 'react';
import type { QrMatrix } from '../../contract/pairing.js';
import { useApp } from '../components/StoreContext.js';

/** The QR code drawn from its modules: one SVG path, a 4-module quiet zone, black on white whatever the theme (scanners need the contrast). */
export function QrCode({ qr, label }: { qr: QrMatrix; label: string }) {
  const quiet = 4;
  let d = '';
  qr.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === '1') d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  });
  const side = qr.size + 2 * quiet;
  return (
    <svg data-testid="pairing-qr" role="img" aria-label={label} viewBox={`0 0 ${side} ${side}`} width={side * 5} height={side * 5} shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** Settings → Pair a phone: show a one-time code and its QR, list paired phones, unpair them. */
export function PairPhonePanel() {
  const status = useApp((s) => s.pairing);
  const offer = useApp((s) => s.pairingOffer);
  const error = useApp((s) => s.pairingError);
  const load = useApp((s) => s.loadPairing);
  const show = useApp((s) => s.showPairingCode);
  const hide = useApp((s) => s.hidePairingCode);
  const unpair = useApp((s) => s.unpairPhone);
  useEffect(() => {
    void load();
  }, [load]);
  if (status === null) return error ? <p role="alert" className="error">{error}</p> : null;
  const expires = offer ? new Date(offer.expires_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  return (
    <section className="settings" aria-labelledby="pair-h" data-testid="pair-phone">
      <h3 id="pair-h">Pair a phone</h3>
      {status.lan.running ? (
        <>
          <p>
            A phone on the same network reaches this app at <code>{status.lan.url}</code> over TLS; every request needs the API key it gets by pairing.
            Certificate SHA-256: <code data-testid="pairing-fingerprint">{status.lan.fingerprint256}</code>
          </p>
          {offer ? (
            <div className="pairing-offer">
              <QrCode qr={offer.qr} label={`Pairing QR code for ${offer.url}`} />
              <p>
                Code <strong data-testid="pairing-code">{offer.code}</strong>: scan the QR code in the phone app, or type the code. It works once and expires at {expires}.
              </p>
              <button type="button" onClick={() => void hide()}>Done</button>
              <button type="button" onClick={() => void show()}>New code</button>
            </div>
          ) : (
            <button type="button" className="primary" data-testid="pairing-show" onClick={() => void show()}>Show a pairing code</button>
          )}
        </>
      ) : (
        <p data-testid="pairing-off">{status.lan.reason ?? 'The LAN listener is off.'} Turn on “Serve the API on the LAN for a paired phone” above, save, and restart the app.</p>
      )}
      <h4>Paired phones</h4>
      {status.devices.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul data-testid="paired-phones">
          {status.devices.map((d) => (
            <li key={d.key_id}>
              {d.device_name} (paired {new Date(d.created_at).toLocaleDateString()}){' '}
              <button type="button" onClick={() => void unpair(d.key_id)} aria-label={`Unpair ${d.device_name}`}>Unpair</button>
            </li>
          ))}
        </ul>
      )}
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}
