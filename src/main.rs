fn main() -> std::process::ExitCode {
    rightsdesk::telemetry::init();
    rightsdesk::cli::main()
}
