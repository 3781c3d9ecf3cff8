import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedSecret } from '@app/contracts';

/**
 * AES-256-GCM sealing of secrets with a key ring. The active key seals; any key in the ring opens,
 * so keys can rotate: add the new key, make it active, keep the old one until no live
 * configuration on the log uses it.
 *
 * Key ring format (env `SECRETS_KEYS`): `keyId:base64key[,keyId:base64key...]`, 32-byte keys.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: Map<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    for (const [id, key] of keys) {
      if (key.length !== 32)
        throw new Error(`secret key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
    }
    if (!keys.has(activeKeyId)) throw new Error(`active secret key "${activeKeyId}" is not in the key ring`);
    this.keys = keys;
  }

  static parseKeyRing(spec: string): Map<string, Buffer> {
    const ring = new Map<string, Buffer>();
    for (const part of spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const i = part.indexOf(':');
      if (i <= 0) throw new Error('expected keyId:base64key[,keyId:base64key...]');
      const id = part.slice(0, i);
      const key = Buffer.from(part.slice(i + 1), 'base64');
      if (key.length !== 32) throw new Error(`key "${id}" must decode to 32 bytes, got ${key.length}`);
      ring.set(id, key);
    }
    if (ring.size === 0) throw new Error('the key ring is empty');
    return ring;
  }

  static fromSpec(spec: string, activeKeyId?: string): SecretBox {
    const ring = SecretBox.parseKeyRing(spec);
    return new SecretBox(ring, activeKeyId ?? [...ring.keys()][0]);
  }

  seal(plain: string, aad = ''): SealedSecret {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return {
      alg: 'A256GCM',
      keyId: this.activeKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  /** Throws if the key is unknown or the ciphertext was tampered with. */
  open(sealed: SealedSecret, aad = ''): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new Error(`unknown secret key id "${sealed.keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
