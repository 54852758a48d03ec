fn main() -> std::process::ExitCode {
    if let Err(e) = rightsdesk::telemetry::init() {
        eprintln!("error: {e}");
        return std::process::ExitCode::from(2);
    }
    rightsdesk::cli::main()
}
