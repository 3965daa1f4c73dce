package verity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// Sign returns the DER PKCS#7 signature repart puts in a Verity=signature
// partition: PKCS7_sign(cert, key, no extra certificates, hex,
// PKCS7_DETACHED|PKCS7_NOATTR|PKCS7_BINARY) over the lowercase hex string of
// rootHash (no newline). That is SignedData with a sha256 digest, no signed
// attributes, the signer certificate included and the content left out,
// encoded the way OpenSSL encodes it (NULL algorithm parameters, rsaEncryption
// as the RSA signature algorithm), so RSA signatures are byte-identical to
// `openssl smime -sign -noattr -binary -outform DER`. certPEM holds the
// signer certificate, keyPEM its RSA or ECDSA private key (PKCS#8, PKCS#1 or
// SEC 1).
func Sign(rootHash []byte, certPEM, keyPEM []byte) ([]byte, error) {
	cert, err := parseCertificatePEM(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
		return nil, errors.New("signing verity root hash: private key does not match the certificate")
	}
	var sigAlg asn1.ObjectIdentifier
	switch key.(type) {
	case *rsa.PrivateKey:
		sigAlg = pkcs7.OIDEncryptionAlgorithmRSA
	case *ecdsa.PrivateKey:
		sigAlg = pkcs7.OIDDigestAlgorithmECDSASHA256
	}

	sd, err := pkcs7.NewSignedData([]byte(hex.EncodeToString(rootHash)))
	if err != nil {
		return nil, fmt.Errorf("signing verity root hash: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	sd.SetEncryptionAlgorithm(sigAlg)
	if err := sd.SignWithoutAttr(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("signing verity root hash: %w", err)
	}
	// OpenSSL writes explicit NULL parameters for the digest algorithms and
	// for rsaEncryption (none for ecdsa-with-SHA256).
	s := sd.GetSignedData()
	for i := range s.DigestAlgorithmIdentifiers {
		s.DigestAlgorithmIdentifiers[i].Parameters = asn1.NullRawValue
	}
	for i := range s.SignerInfos {
		s.SignerInfos[i].DigestAlgorithm.Parameters = asn1.NullRawValue
		if sigAlg.Equal(pkcs7.OIDEncryptionAlgorithmRSA) {
			s.SignerInfos[i].DigestEncryptionAlgorithm.Parameters = asn1.NullRawValue
		}
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("encoding verity signature: %w", err)
	}
	return der, nil
}

// CertificateDER returns the DER bytes of the first certificate of a PEM file
// (what repart loads from --certificate= and fingerprints for SignatureJSON).
func CertificateDER(certPEM []byte) ([]byte, error) {
	c, err := parseCertificatePEM(certPEM)
	if err != nil {
		return nil, err
	}
	return c.Raw, nil
}

// parseCertificatePEM returns the first certificate of a PEM file.
func parseCertificatePEM(b []byte) (*x509.Certificate, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("reading certificate: no PEM CERTIFICATE block")
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("reading certificate: %w", err)
			}
			return c, nil
		}
	}
}

// parsePrivateKeyPEM returns the first RSA or ECDSA private key of a PEM file.
func parsePrivateKeyPEM(b []byte) (crypto.Signer, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("reading private key: no PEM private key block")
		}
		var (
			k   any
			err error
		)
		switch blk.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("reading private key: encrypted keys are not supported")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading private key: %w", err)
		}
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case *ecdsa.PrivateKey:
			return k, nil
		default:
			return nil, fmt.Errorf("reading private key: %T keys are not supported (RSA or ECDSA)", k)
		}
	}
}
