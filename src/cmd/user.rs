//! `choucha user add|list|remove|passwd`: the users of `choucha serve`.
//! A password is read from standard input only, never from an argument
//! (which other users of the machine can see in the process list).

use std::io::BufRead;
use std::path::Path;

use crate::cli::{UserAddArgs, UserNameArgs, UserPasswdArgs};
use crate::error::{Error, Result};
use crate::round::Round;
use crate::t;

/// The first line of standard input, without its line end.
fn password_from_stdin(given: bool) -> Result<String> {
    if !given {
        return Err(Error::input(t!("users.password-stdin")));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io(t!("users.stdin"), e))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_string())
}

pub fn add(dir: &Path, args: &UserAddArgs) -> Result<()> {
    let password = password_from_stdin(args.password_stdin)?;
    let mut round = Round::open(dir)?;
    round.add_user(&args.name, args.role, &args.region, &password)?;
    outln!(
        "{}",
        t!("users.added", name = args.name, role = args.role.name())
    );
    Ok(())
}

pub fn list(dir: &Path) -> Result<()> {
    let round = Round::open(dir)?;
    outln!("name\trole\tregions");
    for u in round.users()?.users {
        outln!("{}\t{}\t{}", u.name, u.role.name(), u.regions.join(","));
    }
    Ok(())
}

pub fn remove(dir: &Path, args: &UserNameArgs) -> Result<()> {
    let mut round = Round::open(dir)?;
    round.remove_user(&args.name)?;
    outln!("{}", t!("users.removed", name = args.name));
    Ok(())
}

pub fn passwd(dir: &Path, args: &UserPasswdArgs) -> Result<()> {
    let password = password_from_stdin(args.password_stdin)?;
    let mut round = Round::open(dir)?;
    round.set_password(&args.name, &password)?;
    outln!("{}", t!("users.password-set", name = args.name));
    Ok(())
}
