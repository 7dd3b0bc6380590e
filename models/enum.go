package models

// label is v's name in labels, the text people read, or v itself when it
// has none.
func label[T ~string](labels map[T]string, v T) string {
	if s, ok := labels[v]; ok {
		return s
	}
	return string(v)
}
