#!/usr/bin/env python3
"""Decrypt aes-xts-plain64 sectors with OpenSSL's libcrypto (EVP, through
ctypes): an implementation independent of gorepart's, for the luks tests.

usage: xts_openssl.py HEXKEY SECTOR_SIZE IN OUT
Sector i of IN (i from 0) is decrypted with the plain64 IV i*SECTOR_SIZE/512,
as dm-crypt does for LUKS2.
"""
import ctypes
import ctypes.util
import sys

lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
lib.EVP_aes_256_xts.restype = ctypes.c_void_p
lib.EVP_DecryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
lib.EVP_DecryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, ctypes.c_int]
lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]

key = bytes.fromhex(sys.argv[1])
ss = int(sys.argv[2])
data = open(sys.argv[3], "rb").read()
out = bytearray()
ctx = lib.EVP_CIPHER_CTX_new()
for i in range(len(data) // ss):
    iv = (i * ss // 512).to_bytes(16, "little")
    if lib.EVP_DecryptInit_ex(ctx, lib.EVP_aes_256_xts(), None, key, iv) != 1:
        sys.exit("EVP_DecryptInit_ex failed")
    buf = ctypes.create_string_buffer(ss)
    n = ctypes.c_int(0)
    if lib.EVP_DecryptUpdate(ctx, buf, ctypes.byref(n), data[i * ss:(i + 1) * ss], ss) != 1 or n.value != ss:
        sys.exit("EVP_DecryptUpdate failed")
    out += buf.raw
lib.EVP_CIPHER_CTX_free(ctx)
open(sys.argv[4], "wb").write(out)
