package console

import "io/fs"

// walk calls fn with every embedded file's name and text.
func walk(fn func(name, body string)) error {
	return fs.WalkDir(files, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		fn(name, string(raw))
		return nil
	})
}
