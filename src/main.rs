fn main() -> std::process::ExitCode {
    stella::run()
}
