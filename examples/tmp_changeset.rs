fn main() {
    let args: Vec<String> = std::env::args().collect();
    let t = std::time::Instant::now();
    let cs = if args[1] == "--file" {
        prcov::git::ChangeSet::read_diff_file(std::path::Path::new(&args[2])).unwrap()
    } else {
        let repo = prcov::git::Repo::discover(std::path::Path::new(&args[1])).unwrap();
        repo.change_set(&args[2], &args[3], false).unwrap()
    };
    let el = t.elapsed();
    let mut total = 0;
    for f in &cs.files {
        total += f.added_lines.len();
        if cs.files.len() < 500 {
            println!("{:?}\t{}\t{:?}\tbin={}\t{}", f.status, f.path, f.old_path, f.binary, if f.added_lines.len() < 30 { format!("{:?}", f.added_lines) } else { format!("{} lines", f.added_lines.len()) });
        }
    }
    eprintln!("{} files, {} added lines, {:?}", cs.files.len(), total, el);
}
