//! The Windows calls choucha makes, each behind a safe function.
//!
//! choucha's own crate is `#![forbid(unsafe_code)]`. The Win32 functions
//! below have no safe wrapper in a small, well-kept crate, and every call
//! through `windows-sys` is `unsafe`, so they live here, isolated: two
//! calls, each with no pointer argument or one buffer whose length is
//! passed with it. On every other system the functions answer `None`.

#![deny(unsafe_op_in_unsafe_fn)]

/// The primary language of the Windows user's display (UI) language, as
/// an ISO 639-1 code where choucha has a catalog for it (`"zh"`, `"en"`),
/// else `Some("")`; `None` off Windows.
pub fn ui_language() -> Option<&'static str> {
    #[cfg(windows)]
    {
        // SAFETY: GetUserDefaultUILanguage takes no arguments and only
        // returns a LANGID; it cannot fail.
        let langid = unsafe { windows_sys::Win32::Globalization::GetUserDefaultUILanguage() };
        // PRIMARYLANGID: the low 10 bits. LANG_CHINESE = 0x04, LANG_ENGLISH = 0x09.
        Some(match langid & 0x3ff {
            0x04 => "zh",
            0x09 => "en",
            _ => "",
        })
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// How many processes share this process's console: 1 when Windows made
/// the console for this process alone (the .exe was double-clicked in
/// Explorer), more when it runs in cmd or PowerShell; `None` without a
/// console or off Windows.
pub fn console_process_count() -> Option<u32> {
    #[cfg(windows)]
    {
        let mut ids = [0u32; 4];
        // SAFETY: the buffer is valid for `ids.len()` u32 writes and that
        // length is what we pass; a list longer than the buffer is not
        // written, only its length returned.
        let n = unsafe {
            windows_sys::Win32::System::Console::GetConsoleProcessList(
                ids.as_mut_ptr(),
                ids.len() as u32,
            )
        };
        (n != 0).then_some(n)
    }
    #[cfg(not(windows))]
    {
        None
    }
}
