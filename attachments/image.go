package attachments

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"

	"golang.org/x/image/draw"

	"github.com/wuye/wuye/models"
)

// Image limits and sizes.
const (
	// DefaultMaxBytes is the largest photo accepted (WUYE_ATTACHMENTS_MAX_MB).
	DefaultMaxBytes = 10 << 20
	// MaxPixels bounds width × height before decoding, so that a small
	// file cannot unpack into gigabytes.
	MaxPixels = 50_000_000
	// MaxSide is the longest side a photo is stored at; larger ones are
	// scaled down.
	MaxSide = 2560
	// ThumbSide is the longest side of a thumbnail.
	ThumbSide = 320
)

// The MIME types accepted.
const (
	MimeJPEG = "image/jpeg"
	MimePNG  = "image/png"
)

// Image is a photo ready to store: Data re-encoded without any metadata,
// Thumb a JPEG of at most ThumbSide pixels a side.
type Image struct {
	Data          []byte
	Mime          string
	Width, Height int
	Thumb         []byte
}

// heifBrands are the ISO-BMFF brands of HEIC/HEIF (and AVIF) images.
var heifBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis"}

// Sniff names the image format of raw by its first bytes: "jpeg", "png",
// "heif", or "" for anything else.
func Sniff(raw []byte) string {
	switch {
	case len(raw) >= 3 && raw[0] == 0xFF && raw[1] == 0xD8 && raw[2] == 0xFF:
		return "jpeg"
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(raw) >= 12 && string(raw[4:8]) == "ftyp" && slices.Contains(heifBrands, string(raw[8:12])):
		return "heif"
	}
	return ""
}

// Prepare checks an uploaded photo and readies it for storage: at most
// maxBytes (0: DefaultMaxBytes), JPEG or PNG by its content (not its name or
// declared type), HEIC/HEIF refused with a message saying what to send. The
// photo is decoded, turned upright by its EXIF orientation, scaled to
// MaxSide and encoded again, which leaves behind every piece of metadata
// (EXIF with its GPS location, comments, colour profiles). Refusals are
// *models.ValidationError on field, in Chinese.
func Prepare(raw []byte, maxBytes int64, field string) (Image, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if int64(len(raw)) > maxBytes {
		return Image{}, models.Invalid(field, "图片超过 %d MB", maxBytes>>20)
	}
	format := Sniff(raw)
	switch format {
	case "jpeg", "png":
	case "heif":
		return Image{}, models.Invalid(field, "暂不支持 HEIC/HEIF 格式的照片（苹果手机的默认格式），请发送 JPEG 或 PNG 图片（可在相机设置中选择“兼容性最佳”，或截图后发送）")
	default:
		return Image{}, models.Invalid(field, "只能上传 JPEG 或 PNG 格式的图片")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return Image{}, models.Invalid(field, "图片已损坏，无法读取")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return Image{}, models.Invalid(field, "图片尺寸过大（不超过 %d 万像素）", MaxPixels/10_000)
	}
	var img image.Image
	if format == "jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(raw))
	} else {
		img, err = png.Decode(bytes.NewReader(raw))
	}
	if err != nil {
		return Image{}, models.Invalid(field, "图片已损坏，无法读取")
	}
	upright := orient(fit(img, MaxSide, false), exifOrientation(raw, format))
	out := Image{Width: upright.Bounds().Dx(), Height: upright.Bounds().Dy()}
	var buf bytes.Buffer
	if format == "jpeg" {
		out.Mime, err = MimeJPEG, jpeg.Encode(&buf, upright, &jpeg.Options{Quality: 85})
	} else {
		out.Mime, err = MimePNG, png.Encode(&buf, upright)
	}
	if err != nil {
		return Image{}, err
	}
	out.Data = buf.Bytes()
	var thumb bytes.Buffer
	if err := jpeg.Encode(&thumb, fit(upright, ThumbSide, true), &jpeg.Options{Quality: 80}); err != nil {
		return Image{}, err
	}
	out.Thumb = thumb.Bytes()
	return out, nil
}

// fit draws img into a new RGBA image whose longest side is at most side,
// over white when opaque is set (a JPEG has no transparency).
func fit(img image.Image, side int, opaque bool) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/b.Dx())
		} else {
			w, h = max(1, w*side/b.Dy()), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if opaque {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	}
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	} else {
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	}
	return dst
}
