// Package attachtest makes the photos the tests of several packages send:
// real JPEGs and PNGs, a JPEG carrying an EXIF block with a GPS location.
package attachtest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Location is the place written into the EXIF block of JPEGWithGPS: stored
// bytes must not hold it.
const Location = "31.2304N,121.4737E"

// Image is a w×h picture, its left half a and its right half b.
func Image(w, h int, a, b color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := a
			if x >= w/2 {
				c = b
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// JPEG is a w×h JPEG, its left half red and right half blue.
func JPEG(w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Image(w, h, color.RGBA{R: 200, A: 255}, color.RGBA{B: 200, A: 255}), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG is a w×h PNG, green and half-transparent white.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Image(w, h, color.NRGBA{G: 200, A: 255}, color.NRGBA{R: 255, G: 255, B: 255, A: 128})); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEGWithGPS is JPEG(w, h) with an APP1 EXIF segment after its start:
// IFD0 holding the orientation, an image description and a pointer to a
// GPS IFD with a latitude reference and Location in its area information.
func JPEGWithGPS(w, h int, orientation uint16) []byte {
	return WithEXIF(JPEG(w, h), orientation)
}

// WithEXIF inserts the EXIF segment of JPEGWithGPS into jpg.
func WithEXIF(jpg []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	var tiff bytes.Buffer
	put := func(v any) { _ = binary.Write(&tiff, le, v) }
	entry := func(tag, typ uint16, count, value uint32) { put(tag); put(typ); put(count); put(value) }
	tiff.WriteString("II")
	put(uint16(42))
	put(uint32(8))
	// IFD0 at 8: 3 entries (2+36+4 = 42 bytes), then the description at
	// 50, then the GPS IFD.
	desc := Location + "\x00"
	gpsAt := uint32(50 + len(desc))
	put(uint16(3))
	entry(0x010E, 2, uint32(len(desc)), 50) // ImageDescription
	put(uint16(0x0112))                     // Orientation, SHORT, inline
	put(uint16(3))
	put(uint32(1))
	put(orientation)
	put(uint16(0))
	entry(0x8825, 4, 1, gpsAt) // GPS IFD
	put(uint32(0))
	tiff.WriteString(desc)
	area := "ASCII\x00\x00\x00" + Location
	put(uint16(2))
	entry(0x0001, 2, 2, uint32('N'))                  // GPSLatitudeRef
	entry(0x001C, 7, uint32(len(area)), gpsAt+2+24+4) // GPSAreaInformation
	put(uint32(0))
	tiff.WriteString(area)

	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(seg)+2))
	out := append(append(append([]byte{}, jpg[:2]...), app1...), seg...)
	return append(out, jpg[2:]...)
}

// HEIC is the start of a HEIC file (an ISO-BMFF ftyp box of brand heic).
func HEIC() []byte {
	return append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...)
}
