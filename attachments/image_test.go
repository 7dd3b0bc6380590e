package attachments

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/models"
)

func photo(_ *testing.T, w, h int) []byte { return attachtest.JPEG(w, h) }

func withEXIF(_ *testing.T, jpg []byte, orientation uint16) []byte {
	return attachtest.WithEXIF(jpg, orientation)
}

func pngImage(_ *testing.T) []byte { return attachtest.PNG(30, 20) }

const secret = attachtest.Location

func TestPrepare(t *testing.T) {
	heic := attachtest.HEIC()
	big := append(photo(t, 8, 8), make([]byte, 10<<20)...)
	tests := []struct {
		name      string
		give      []byte
		wantMime  string
		wantW     int
		wantH     int
		wantError string // part of the refusal's reason; "" accepted
	}{
		{name: "jpeg with exif gps", give: withEXIF(t, photo(t, 40, 20), 1), wantMime: MimeJPEG, wantW: 40, wantH: 20},
		{name: "jpeg turned by its orientation", give: withEXIF(t, photo(t, 40, 20), 6), wantMime: MimeJPEG, wantW: 20, wantH: 40},
		{name: "large jpeg scaled down", give: photo(t, 3000, 1500), wantMime: MimeJPEG, wantW: MaxSide, wantH: MaxSide / 2},
		{name: "png", give: pngImage(t), wantMime: MimePNG, wantW: 30, wantH: 20},
		{name: "pdf named .jpg", give: []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), wantError: "JPEG 或 PNG"},
		{name: "text", give: []byte("hello, this is not a photo"), wantError: "JPEG 或 PNG"},
		{name: "heic", give: heic, wantError: "HEIC"},
		{name: "over 10 MB", give: big, wantError: "10 MB"},
		{name: "jpeg header only", give: []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 2}, wantError: "无法读取"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Prepare(tt.give, DefaultMaxBytes, "file")
			if tt.wantError != "" {
				var ve *models.ValidationError
				require.True(t, errors.As(err, &ve), "got %v, want a validation error", err)
				require.Equal(t, "file", ve.Field)
				require.Contains(t, ve.Reason, tt.wantError)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantMime, got.Mime)
			require.Equal(t, [2]int{tt.wantW, tt.wantH}, [2]int{got.Width, got.Height})
			require.Equal(t, tt.wantMime, mimeOf(t, got.Data))
			require.False(t, bytes.Contains(got.Data, []byte("Exif")), "stored bytes hold an EXIF block")
			require.False(t, bytes.Contains(got.Data, []byte(secret)), "stored bytes hold the location")
			require.Equal(t, 1, exifOrientation(got.Data, "jpeg"))
			cfg, format, err := image.DecodeConfig(bytes.NewReader(got.Thumb))
			require.NoError(t, err)
			require.Equal(t, "jpeg", format)
			require.LessOrEqual(t, max(cfg.Width, cfg.Height), ThumbSide)
		})
	}
}

// TestPrepareOrientation checks that orientation 6 (rotate 90° clockwise)
// puts the photo's left (red) half on top.
func TestPrepareOrientation(t *testing.T) {
	got, err := Prepare(withEXIF(t, photo(t, 40, 20), 6), 0, "file")
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(got.Data))
	require.NoError(t, err)
	top, bottom := img.At(10, 5), img.At(10, 35)
	r, _, b, _ := top.RGBA()
	require.Greater(t, r, b, "top: got %v, want red", top)
	r, _, b, _ = bottom.RGBA()
	require.Greater(t, b, r, "bottom: got %v, want blue", bottom)
}

func mimeOf(t *testing.T, data []byte) string {
	t.Helper()
	switch Sniff(data) {
	case "jpeg":
		return MimeJPEG
	case "png":
		return MimePNG
	}
	return ""
}
