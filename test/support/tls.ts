/**
 * A self-signed TLS certificate for the HTTPS stand-ins (SAN IP:127.0.0.1, DNS:localhost).
 *
 * Built with node:crypto and a tiny DER encoder instead of the `openssl` CLI or an npm
 * package: it needs nothing beyond Node itself, so it behaves the same on a fresh clone,
 * on Windows/macOS (no LibreSSL `-addext` quirks) and adds no dependency to package.json.
 * The certificate is its own CA (basicConstraints CA:TRUE, keyCertSign), which is what
 * lets a child process trust it through NODE_EXTRA_CA_CERTS.
 */
import { createHash, generateKeyPair, randomBytes, sign, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificate {
  /** PEM file of the certificate: give it to NODE_EXTRA_CA_CERTS or `ca`. */
  certFile: string;
  keyFile: string;
  /** PEM text. */
  cert: string;
  key: string;
}

interface CertificateOptions {
  commonName?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
}

const generateKeyPairAsync = promisify(generateKeyPair);

// ---- minimal DER encoding (only what an X.509 v3 certificate needs) ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.from([unusedBits]), b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

function integer(b: Buffer): Buffer {
  // DER integers are signed: a leading 1 bit needs a 0x00 pad to stay positive.
  return tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // RFC 5280: UTCTime until 2049, GeneralizedTime after.
  const iso = `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`only IPv4 addresses are supported in the test certificate: ${ip}`);
  }
  return Buffer.from(parts);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Generates the PEM pair in memory. */
async function generateSelfSignedCertificate(options: CertificateOptions = {}): Promise<{ cert: string; key: string }> {
  const commonName = options.commonName ?? 'azure-federation-check test CA';
  const dnsNames = options.dnsNames ?? ['localhost'];
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1'];
  const validDays = options.validDays ?? 30;

  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();

  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 1) & 0x7f) | 0x01; // positive and non-zero
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), nullValue());
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))), set(seq(oid('2.5.4.10'), utf8('stand-in'))));
  const now = Date.now();

  const san = seq(
    ...dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), // [2] dNSName
    ...ipAddresses.map((ip) => tlv(0x87, ipBytes(ip))), // [7] iPAddress
  );
  const extensions = seq(
    extension('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
    // keyUsage: digitalSignature(0), keyEncipherment(2), keyCertSign(5) => 0xa4, 2 unused bits
    extension('2.5.29.15', true, bitString(Buffer.from([0xa4]), 2)),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
    extension('2.5.29.17', false, san),
    extension('2.5.29.14', false, octets(keyId)), // subjectKeyIdentifier
    extension('2.5.29.35', false, seq(tlv(0x80, keyId))), // authorityKeyIdentifier
  );

  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    sha256WithRsa,
    name,
    seq(time(new Date(now - 24 * 3600_000)), time(new Date(now + validDays * 24 * 3600_000))),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, sha256WithRsa, bitString(signature));

  const cert = toPem('CERTIFICATE', der);
  // Self-check: fail here, not deep inside a TLS handshake, if the encoding is off.
  const x509 = new X509Certificate(cert);
  if (!x509.verify(publicKey) || !ipAddresses.every((ip) => x509.checkIP(ip))) {
    throw new Error('generated test certificate failed its self-check');
  }
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Generates a certificate and writes `cert.pem` / `key.pem` into `dir` (created if needed). */
export async function createTestCertificate(dir: string, options?: CertificateOptions): Promise<TestCertificate> {
  await mkdir(dir, { recursive: true });
  const { cert, key } = await generateSelfSignedCertificate(options);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, cert);
  await writeFile(keyFile, key, { mode: 0o600 });
  return { certFile, keyFile, cert, key };
}

/** The certificate global setup made for this test run (AFC_TEST_CA_DIR), or a new one. */
export async function defaultCertificate(): Promise<TestCertificate> {
  const dir = process.env['AFC_TEST_CA_DIR'];
  if (dir && existsSync(join(dir, 'cert.pem')) && existsSync(join(dir, 'key.pem'))) {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }
  return createTestCertificate(await mkdtemp(join(tmpdir(), 'afc-ca-')));
}
