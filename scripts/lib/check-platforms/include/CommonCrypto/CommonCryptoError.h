/* Stand-in for the macOS SDK header, for type-checking only (scripts/lib/check-platforms.sh):
 * zig ships macOS's libc headers but not CommonCrypto's, which mimalloc's C includes. Nothing
 * compiled against it is linked or run; the released macOS addon builds on macOS's own SDK. */
#pragma once
#include <stdint.h>
typedef int32_t CCStatus;
typedef int32_t CCCryptorStatus;
enum { kCCSuccess = 0 };
