/* Stand-in for the macOS SDK header, for type-checking only (see CommonCryptoError.h beside it). */
#pragma once
#include <stddef.h>
#include <CommonCrypto/CommonCryptoError.h>
typedef CCCryptorStatus CCRNGStatus;
CCRNGStatus CCRandomGenerateBytes(void *bytes, size_t count);
