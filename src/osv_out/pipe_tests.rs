use super::*;

#[test]
fn records_reach_the_zips_in_the_order_pushed_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..BATCH * 5 + 7).map(|i| format!("ID-{i}")).collect();
    let build = |id: &String, _: &mut Parts| {
        Ok(Built {
            id: id.clone(),
            ecosystems: vec!["PyPI".to_owned()],
            modified: String::new(),
            withdrawn: false,
            json: format!("{{\"id\":\"{id}\"}}").into_bytes(),
        })
    };
    let load = |_: &[String], _: &mut Parts| Ok(());
    let mut pipeline = Pipeline::start(dir.path(), Arc::new(load), Arc::new(build));
    for id in &ids {
        let filled = pipeline.fill(|slot: &mut String| {
            slot.clear();
            slot.push_str(id);
            Ok::<_, ()>(true)
        });
        assert_eq!(filled, Ok(true));
    }
    assert_eq!(pipeline.fill(|_| Ok::<_, ()>(false)), Ok(false));
    let mut pending = super::super::write::Pending::default();
    let (zips, _, counts) = pipeline.finish().unwrap();
    assert_eq!(counts.records, ids.len() as u64);
    let ecosystems = zips.finish(&mut pending).unwrap();
    pending.commit().unwrap();
    assert_eq!(ecosystems, ["PyPI"]);
    for zip in ["all.zip", "PyPI/all.zip"] {
        let file = std::fs::File::open(dir.path().join(zip)).unwrap();
        let archive = zip::ZipArchive::new(file).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
            .collect();
        let expected: Vec<String> = ids.iter().map(|id| format!("{id}.json")).collect();
        assert_eq!(names, expected);
    }
}
