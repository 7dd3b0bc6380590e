package attachments

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wuye/wuye/models"
)

// photo is a w×h JPEG, its left half red and right half blue.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 200, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 200, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// secret is written into the EXIF block, to look for in what is stored.
const secret = "31.2304N,121.4737E"

// withEXIF inserts an APP1 EXIF segment after the JPEG's start: IFD0 with
// an orientation, an image description and a pointer to a GPS IFD holding
// a latitude reference and the place in its area information.
func withEXIF(t *testing.T, jpg []byte, orientation uint16) []byte {
	t.Helper()
	le := binary.LittleEndian
	var tiff bytes.Buffer
	tiff.WriteString("II")
	binary.Write(&tiff, le, uint16(42))
	binary.Write(&tiff, le, uint32(8))
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&tiff, le, tag)
		binary.Write(&tiff, le, typ)
		binary.Write(&tiff, le, count)
		binary.Write(&tiff, le, value)
	}
	// IFD0 at 8: 3 entries (2+36+4 = 42 bytes), then the description at
	// 50, then the GPS IFD.
	desc := secret + "\x00"
	gpsAt := uint32(50 + len(desc))
	binary.Write(&tiff, le, uint16(3))
	entry(0x010E, 2, uint32(len(desc)), 50) // ImageDescription
	binary.Write(&tiff, le, uint16(0x0112)) // Orientation, SHORT, inline
	binary.Write(&tiff, le, uint16(3))
	binary.Write(&tiff, le, uint32(1))
	binary.Write(&tiff, le, orientation)
	binary.Write(&tiff, le, uint16(0))
	entry(0x8825, 4, 1, gpsAt) // GPS IFD
	binary.Write(&tiff, le, uint32(0))
	tiff.WriteString(desc)
	// GPS IFD: GPSLatitudeRef "N", GPSAreaInformation → the secret.
	area := "ASCII\x00\x00\x00" + secret
	binary.Write(&tiff, le, uint16(2))
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x001C, 7, uint32(len(area)), gpsAt+2+24+4)
	binary.Write(&tiff, le, uint32(0))
	tiff.WriteString(area)

	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	img.Set(1, 1, color.NRGBA{G: 255, A: 128})
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func TestPrepare(t *testing.T) {
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	heic = append(heic, make([]byte, 100)...)
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
