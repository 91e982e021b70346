//! A throw-away PostgreSQL cluster for the tests: Debian's server binaries,
//! initdb + pg_ctl in a temporary folder, listening on 127.0.0.1 on the first
//! free port, stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    pub url: String,
    bin: PathBuf,
    data: PathBuf,
    root: PathBuf,
    as_postgres: bool,
}

fn server_bin() -> Result<PathBuf, String> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| {
            "PostgreSQL server binaries not found: install the `postgresql` package".to_string()
        })?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| "PostgreSQL server binaries not found under /usr/lib/postgresql".to_string())
}

fn free_port() -> Result<u16, String> {
    (54330..54430)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .ok_or_else(|| "no free port between 54330 and 54430 for PostgreSQL".to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Stops and removes clusters left behind by runs that were killed before they
/// could clean up (their xtask process is gone).
fn reap_orphans(bin: &Path, as_postgres: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("partnerdesk-pg-")
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let orphan = Cluster {
            url: String::new(),
            bin: bin.to_path_buf(),
            data: entry.path().join("data"),
            root: entry.path(),
            as_postgres,
        };
        if orphan.data.join("postmaster.pid").exists() {
            println!(
                "stopping a PostgreSQL server left behind by an earlier run ({})",
                orphan.root.display()
            );
        }
        drop(orphan); // stops it (if it runs) and removes its folder
    }
}

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        let bin = server_bin()?;
        reap_orphans(&bin, is_root());
        let root = std::env::temp_dir().join(format!("partnerdesk-pg-{}", std::process::id()));
        let data = root.join("data");
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        // The server refuses to run as root: run it as the `postgres` user then.
        let as_postgres = is_root();
        if as_postgres {
            crate::process::run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root),
            )?;
        }
        let port = free_port()?;
        let cluster = Cluster {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            bin,
            data,
            root,
            as_postgres,
        };
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data.display().to_string(),
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            ],
        )?;
        let opts = format!(
            "-k {} -p {port} -h 127.0.0.1 -c fsync=off -c full_page_writes=off",
            cluster.root.display()
        );
        let log = cluster.root.join("server.log").display().to_string();
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                &cluster.data.display().to_string(),
                "-o",
                &opts,
                "-l",
                &log,
                "-w",
                "start",
            ],
        )?;
        Ok(cluster)
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(Path::new("/"));
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data.join("postmaster.pid").exists() {
            let _ = self.pg(
                "pg_ctl",
                &[
                    "-D",
                    &self.data.display().to_string(),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
            );
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
