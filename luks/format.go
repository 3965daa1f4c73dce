package luks

// On-disk constants of LUKS2 as cryptsetup 2.6 writes them for
// systemd-repart 262's offline encryption. References: the LUKS2 on-disk
// format specification (docs/on-disk-format-luks2.pdf, cryptsetup), and
// cryptsetup 2.6 lib/luks2/luks2.h, lib/luks1/luks.h, lib/luks2/
// luks2_json_format.c; systemd v262 src/repart/repart.c.
const (
	// binHeaderSize is the binary part of each header (struct luks2_hdr_disk).
	binHeaderSize = 4096
	// hdrSize is hdr_size: one binary header and its JSON area
	// (LUKS2_HDR_16K_LEN, cryptsetup's default metadata size).
	hdrSize = 16384
	// jsonSize is config.json_size, the JSON area after each binary header.
	jsonSize = hdrSize - binHeaderSize
	// keyslotsOffset is where the keyslots area starts: after the primary
	// and the secondary header.
	keyslotsOffset = 2 * hdrSize

	// HeaderSize is the LUKS2 metadata (two headers and the keyslots area)
	// and so the data segment's offset: repart's LUKS2_METADATA_SIZE, which
	// it passes to crypt_set_data_offset() and as the reencryption's
	// data_shift.
	HeaderSize = 16 << 20
	// keyslotsSize is config.keyslots_size: the rest of the metadata.
	keyslotsSize = HeaderSize - keyslotsOffset
	// keyslotsSizeMax is the largest keyslots area (LUKS2_MAX_KEYSLOTS_SIZE).
	keyslotsSizeMax = 128 << 20

	// KeepFree is repart's LUKS2_METADATA_KEEP_FREE: offline, repart makes
	// the filesystem this much smaller than the partition (one HeaderSize
	// for the header, one for the data shift of crypt_reencrypt). The data
	// segment is the partition less HeaderSize, so its last HeaderSize
	// bytes hold encrypted zeros after the filesystem.
	KeepFree = 2 * HeaderSize

	// VolumeKeySize is repart's VOLUME_KEY_SIZE: 512 bits for aes-xts-plain64,
	// i.e. AES-256 for data and AES-256 for tweaks.
	VolumeKeySize = 64
	// cipherSpec is the data and keyslot encryption repart asks for.
	cipherSpec = "aes-xts-plain64"

	// afStripes is the anti-forensic split's stripe count (LUKS_STRIPES).
	afStripes = 4000
	// saltSize is the size of KDF and digest salts (LUKS_SALTSIZE).
	saltSize = 32
	// hdrSaltSize is the per-header salt of the binary header.
	hdrSaltSize = 64
	// keyslotSectorSize is the sector size of keyslot area encryption:
	// the split key is encrypted in 512-byte sectors with IVs from 0.
	keyslotSectorSize = 512

	// labelMax is the longest label or subsystem cryptsetup accepts
	// (LUKS2_LABEL_L including the terminating NUL).
	labelMax = 47
)

// Byte offsets inside struct luks2_hdr_disk (all integers big-endian).
const (
	offMagic       = 0   // char magic[6]
	offVersion     = 6   // uint16 version = 2
	offHdrSize     = 8   // uint64 hdr_size
	offSeqID       = 16  // uint64 seqid
	offLabel       = 24  // char label[48]
	offCsumAlg     = 72  // char checksum_alg[32]
	offSalt        = 104 // uint8 salt[64]
	offUUID        = 168 // char uuid[40]
	offSubsystem   = 208 // char subsystem[48]
	offHdrOffset   = 256 // uint64 hdr_offset
	offCsum        = 448 // uint8 csum[64], over the header (csum zeroed) and JSON area
	magicPrimary   = "LUKS\xba\xbe"
	magicSecondary = "SKUL\xba\xbe"
	csumAlg        = "sha256"
)

// Fixed key derivation costs (cryptsetup benchmarks these; we do not, so
// that the work a build does does not depend on the machine, see doc.go).
const (
	// DefaultArgon2Time is argon2id's iteration count: cryptsetup's minimum
	// (crypto_backend/pbkdf_check.c), the value its benchmark settles on
	// first.
	DefaultArgon2Time = 4
	// DefaultArgon2MemoryKiB is argon2id's memory cost: 64 MiB, RFC 9106's
	// recommendation for memory-constrained systems (§4: t=3, p=4, 64 MiB;
	// with cryptsetup's t=4 above it). A small initrd unlocks it easily, and
	// a build holds it only while deriving the keyslot key.
	DefaultArgon2MemoryKiB = 64 << 10
	// DefaultArgon2Lanes is argon2id's parallelism, cryptsetup's default
	// thread count (DEFAULT_LUKS2_PARALLEL_THREADS).
	DefaultArgon2Lanes = 4
	// DefaultPBKDF2Iterations is the keyslot cost for KDF "pbkdf2"
	// (PBKDF2-HMAC-SHA256, OWASP's 600000 rounded up).
	DefaultPBKDF2Iterations = 1_000_000
	// DefaultDigestIterations is the PBKDF2-SHA256 cost of the volume key
	// digest. It guards a 512-bit random key, so any count above
	// cryptsetup's floor of 1000 is as strong as the key; this one costs
	// about what cryptsetup's 125 ms benchmark gives on slow machines.
	DefaultDigestIterations = 100_000
	// minimalIterations is repart's EncryptKDF=minimal keyslot:
	// PBKDF2-SHA512, 1000 iterations (cryptsetup_set_minimal_pbkdf).
	minimalIterations = 1000
	// minIterations is cryptsetup's lower limit for any PBKDF2 count and the
	// digest count it uses without benchmark.
	minIterations = 1000
)
