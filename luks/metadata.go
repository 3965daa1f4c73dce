package luks

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Metadata is the JSON area of a LUKS2 header. The field order is the order
// in which cryptsetup 2.6 (json-c, insertion order) writes the objects, so
// that encoding/json reproduces its text byte for byte.
type Metadata struct {
	Keyslots map[string]Keyslot `json:"keyslots"`
	Tokens   map[string]any     `json:"tokens"`
	Segments map[string]Segment `json:"segments"`
	Digests  map[string]Digest  `json:"digests"`
	Config   Config             `json:"config"`
}

// Keyslot is a "luks2" keyslot: the volume key, split by the anti-forensic
// splitter and encrypted with a key derived from the passphrase.
type Keyslot struct {
	Type    string `json:"type"`
	KeySize int    `json:"key_size"`
	AF      AF     `json:"af"`
	Area    Area   `json:"area"`
	KDF     KDF    `json:"kdf"`
}

// AF is the anti-forensic splitter of a keyslot.
type AF struct {
	Type    string `json:"type"`
	Stripes int    `json:"stripes"`
	Hash    string `json:"hash"`
}

// Area is where a keyslot's split key lies, and how it is encrypted.
type Area struct {
	Type       string `json:"type"`
	Offset     uint64 `json:"offset,string"`
	Size       uint64 `json:"size,string"`
	Encryption string `json:"encryption"`
	KeySize    int    `json:"key_size"`
}

// KDF derives a keyslot's key from the passphrase: pbkdf2 uses Hash and
// Iterations, argon2i/argon2id use Time, Memory (KiB) and CPUs (lanes).
type KDF struct {
	Type       string `json:"type"`
	Hash       string `json:"hash,omitempty"`
	Iterations int    `json:"iterations,omitempty"`
	Time       int    `json:"time,omitempty"`
	Memory     int    `json:"memory,omitempty"`
	CPUs       int    `json:"cpus,omitempty"`
	Salt       []byte `json:"salt"`
}

// Segment is a "crypt" data segment. Size is "dynamic" (to the end of the
// device) or a byte count.
type Segment struct {
	Type       string `json:"type"`
	Offset     uint64 `json:"offset,string"`
	Size       string `json:"size"`
	IVTweak    uint64 `json:"iv_tweak,string"`
	Encryption string `json:"encryption"`
	SectorSize int    `json:"sector_size"`
}

// Digest verifies a candidate volume key: PBKDF2 of the key with Salt and
// Iterations must equal Digest.
type Digest struct {
	Type       string   `json:"type"`
	Keyslots   []string `json:"keyslots"`
	Segments   []string `json:"segments"`
	Hash       string   `json:"hash"`
	Iterations int      `json:"iterations"`
	Salt       []byte   `json:"salt"`
	Digest     []byte   `json:"digest"`
}

// Config holds the area sizes and the persistent activation flags.
type Config struct {
	JSONSize     uint64   `json:"json_size,string"`
	KeyslotsSize uint64   `json:"keyslots_size,string"`
	Flags        []string `json:"flags,omitempty"`
}

// encodeMetadata returns the JSON text as json-c prints it with
// JSON_C_TO_STRING_PLAIN: no spaces, no escaped slashes.
func encodeMetadata(m *Metadata) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding metadata: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeMetadata parses a JSON area's text.
func decodeMetadata(text []byte) (*Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, fmt.Errorf("decoding metadata: %w", err)
	}
	return &m, nil
}
