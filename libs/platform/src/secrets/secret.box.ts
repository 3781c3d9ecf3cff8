import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedSecret } from '@app/contracts';

/** AES-GCM as sealed here: a 96-bit nonce and a full 128-bit tag, checked before opening. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
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

  /**
   * Throws if the key is unknown or the ciphertext was tampered with. The nonce and tag lengths are
   * fixed: node would otherwise accept a tag shortened to 4 bytes, which an attacker who can write
   * to the log could forge by trying 2^32 values.
   */
  open(sealed: SealedSecret, aad = ''): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new Error(`unknown secret key id "${sealed.keyId}"`);
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new Error(`a sealed secret needs a ${IV_BYTES}-byte nonce and a ${TAG_BYTES}-byte tag`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
