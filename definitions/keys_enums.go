package definitions

// Keys with enumerated or boolean values.

// enumOrBool parses a string-table value that also accepts booleans
// (DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN): yes maps to yesValue, no to
// the first entry. An empty value gives the first entry.
func enumOrBool(v string, names []string, yesIndex int, allowBool bool) (int, bool) {
	if v == "" {
		return 0, true
	}
	for i, n := range names {
		if v == n {
			return i, true
		}
	}
	if allowBool {
		if b, err := parseBool(v); err == nil {
			if b {
				return yesIndex, true
			}
			return 0, true
		}
	}
	return 0, false
}

func (p *keyParser) keyEncrypt(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "key-file", "tpm2", "key-file+tpm2"}, 1, true)
	if !ok {
		return invalid(pos, "encryption mode (off, key-file, tpm2, key-file+tpm2 or a boolean)", v, nil)
	}
	p.d.Encrypt = Encrypt(i)
	return nil
}

func (p *keyParser) keyVerity(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "data", "hash", "signature"}, 0, false)
	if !ok {
		return invalid(pos, "verity mode (off, data, hash, signature)", v, nil)
	}
	p.d.Verity = Verity(i)
	return nil
}

func (p *keyParser) keyMinimize(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "best", "guess"}, 1, true)
	if !ok {
		return invalid(pos, "minimize mode (off, best, guess or a boolean)", v, nil)
	}
	p.d.Minimize = Minimize(i)
	return nil
}

func (p *keyParser) keyIntegrity(v string, pos Position) error {
	names := []string{"off", "inline"}
	i, ok := enumOrBool(v, names, 1, true)
	if !ok {
		return invalid(pos, "integrity mode (off, inline or a boolean)", v, nil)
	}
	p.d.Integrity = names[i]
	return nil
}

func (p *keyParser) keyIntegrityAlgorithm(v string, pos Position) error {
	switch v {
	case "":
		p.d.IntegrityAlgorithm = "hmac-sha256"
	case "hmac-sha1", "hmac-sha256", "hmac-sha512":
		p.d.IntegrityAlgorithm = v
	default:
		return invalid(pos, "integrity algorithm (hmac-sha1, hmac-sha256, hmac-sha512)", v, nil)
	}
	return nil
}

func (p *keyParser) keyEncryptKDF(v string, pos Position) error {
	switch v {
	case "", "argon2id", "pbkdf2", "minimal":
		p.d.EncryptKDF = v
	default:
		return invalid(pos, "key derivation function (argon2id, pbkdf2, minimal)", v, nil)
	}
	return nil
}

func (p *keyParser) keyTristate(v string, pos Position) error {
	t := Unset
	if v != "" {
		b, err := parseBool(v)
		if err != nil {
			return invalid(pos, "boolean", v, nil)
		}
		t = No
		if b {
			t = Yes
		}
	}
	switch pos.Key {
	case "ReadOnly":
		p.d.ReadOnly = t
	case "NoAuto":
		p.d.NoAuto = t
	case "GrowFileSystem":
		p.d.GrowFileSystem = t
	case "AddValidateFS":
		p.d.AddValidateFS = t
	case "Discard":
		p.d.Discard = t
	}
	return nil
}
