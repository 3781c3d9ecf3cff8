import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { SENDER_CODES, SenderError } from './attempt.error';
import { checkAddress, Cidr } from './address.guard';

/**
 * A `lookup` for sockets that resolves the host, checks EVERY address against the guard, and hands
 * the socket only checked addresses. The connection therefore uses the address that was checked:
 * there is no second resolution a DNS-rebinding attacker could answer differently.
 * One blocked address blocks the host: a name that points into a private network is not a
 * receiver we want to reach, even if it also has a public address.
 */
export function guardedLookup(allowed: readonly Cidr[]): LookupFunction {
  return (hostname, options, callback) => {
    const opts = options as LookupOptions;
    dnsLookup(hostname, { family: opts.family, hints: opts.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const verdict = checkAddress(a.address, allowed);
        if (!verdict.allowed) {
          const blocked = new SenderError(
            SENDER_CODES.blocked,
            `blocked: ${hostname} resolves to ${a.address}, in ${verdict.range} (${verdict.reason}); not in the allowed networks`,
          );
          return callback(blocked, '', 0);
        }
      }
      if (list.length === 0) {
        return callback(Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' }), '', 0);
      }
      // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (opts.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
