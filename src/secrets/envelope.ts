/**
 * Envelope encryption for secrets at rest: each secret gets its own random data key (DEK); the DEK is
 * wrapped by the master key (KEK). Both layers are AES-256-GCM and the owning row's identity is the
 * additional authenticated data, so a ciphertext copied onto another row fails to decrypt.
 *
 * Format: `v1.<kek id>.<wrapped dek>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const TAG_BYTES = 16;

export class MasterKey {
  /** Short public fingerprint of the key, stored with each ciphertext to tell keys apart. */
  readonly id: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The master key must be 32 bytes (256 bits)');
    this.#key = Buffer.from(key);
    this.id = createHash('sha256').update('junction-kek-id').update(key).digest('hex').slice(0, 12);
  }

  /** Parses a master key written as 64 hex characters or as base64/base64url of 32 bytes. */
  static parse(text: string): MasterKey {
    const trimmed = text.trim();
    if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return new MasterKey(Buffer.from(trimmed, 'hex'));
    const decoded = Buffer.from(trimmed, 'base64');
    if (decoded.length === 32) return new MasterKey(decoded);
    throw new Error('The master key must be 32 bytes written as 64 hex characters or as base64');
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(32));
  }

  /** The key as text, for writing a new key file. */
  export(): string {
    return this.#key.toString('base64');
  }

  /** Encrypts `plaintext` for the row named by `context` (e.g. `providers/openai-eu:credential`). */
  seal(plaintext: string, context: string): string {
    const dek = randomBytes(32);
    const wrapped = gcmEncrypt(this.#key, dek, `dek|${context}`);
    const sealed = gcmEncrypt(dek, Buffer.from(plaintext, 'utf8'), `data|${context}`);
    return [VERSION, this.id, pack(wrapped), b64(sealed.iv), b64(sealed.tag), b64(sealed.ciphertext)].join(
      '.',
    );
  }

  /** Decrypts a value sealed for `context`; throws SecretError when the key, the context or the bytes differ. */
  open(sealedText: string, context: string): string {
    const parts = sealedText.split('.');
    if (parts.length !== 6 || parts[0] !== VERSION)
      throw new SecretError('malformed', 'The sealed secret is malformed');
    const [, keyId, wrappedText, ivText, tagText, ciphertextText] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (keyId !== this.id) {
      throw new SecretError(
        'wrong_key',
        `The secret was sealed with master key ${keyId}, but the configured master key is ${this.id}`,
      );
    }
    try {
      const dek = gcmDecrypt(this.#key, unpack(wrappedText), `dek|${context}`);
      const plaintext = gcmDecrypt(
        dek,
        { iv: unb64(ivText), tag: unb64(tagText), ciphertext: unb64(ciphertextText) },
        `data|${context}`,
      );
      return plaintext.toString('utf8');
    } catch {
      throw new SecretError('tampered', 'The sealed secret does not belong to this record or was altered');
    }
  }
}

export class SecretError extends Error {
  constructor(
    readonly reason: 'malformed' | 'wrong_key' | 'tampered',
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function gcmDecrypt(key: Buffer, sealed: Sealed, aad: string): Buffer {
  // A fixed tag length: without it GCM accepts a truncated tag (down to 4 bytes) and so an altered value.
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

const b64 = (buffer: Buffer) => buffer.toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url');
const pack = (sealed: Sealed) => b64(Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]));
const unpack = (text: string): Sealed => {
  const bytes = unb64(text);
  return { iv: bytes.subarray(0, 12), tag: bytes.subarray(12, 28), ciphertext: bytes.subarray(28) };
};
