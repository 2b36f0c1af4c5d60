/* TEST-ONLY stand-in for Windows' bcryptprimitives.dll, for running the
 * Windows build under Wine 8.0 (Debian 12), which lacks ProcessPrng, the
 * function Rust's std calls for randomness (HashMap keys, getrandom).
 * It forwards to advapi32's SystemFunction036 (RtlGenRandom), which Wine
 * has. ci/windows.sh builds it with the MinGW gcc and puts it beside the
 * .exe in a scratch directory. It is NEVER shipped: release/build.sh
 * does not build it, and real Windows (10 and later) has ProcessPrng. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
