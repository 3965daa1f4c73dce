package luks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// VolumeKeyID returns what repart 262 puts into crypttab as
// fixate-volume-key= for EncryptedVolume=NAME:…:…:fixate-volume-key
// (systemd cryptsetup_get_volume_key_id): the hex HMAC-SHA256, keyed with
// the volume key, of "cryptsetup:" + NAME (":" and unprintable bytes
// \x-escaped; "luks-" + UUID when NAME is empty) + ":" + UUID.
func (w *Writer) VolumeKeyID(volumeName string) string {
	return volumeKeyID(w.vk, volumeName, w.uuid)
}

func volumeKeyID(vk []byte, volumeName, uuid string) string {
	name := "luks-" + uuid
	if volumeName != "" {
		name = xescape(volumeName, ":")
	}
	m := hmac.New(sha256.New, vk)
	m.Write([]byte("cryptsetup:" + name + ":" + uuid))
	return hex.EncodeToString(m.Sum(nil))
}

// xescape is systemd's xescape(): bytes below 0x20, from 0x7f, the
// backslash and those in bad become \xNN.
func xescape(s, bad string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= 127 || c == '\\' || strings.IndexByte(bad, c) >= 0 {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
