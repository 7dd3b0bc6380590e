package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// gpsSecret is the place written into the EXIF block of the test photos.
const gpsSecret = attachtest.Location

// seedPhoto stores a photo of ticket t, uploaded by staff, as a fixture.
func (h *harness) seedPhoto(t models.Ticket, staff uint64) models.Attachment {
	h.t.Helper()
	img, err := attachments.Prepare(attachtest.JPEGWithGPS(16, 8, 1), 0, "file")
	h.must(err)
	ctx := context.Background()
	a := models.Attachment{EstateID: t.EstateID, Ref: models.RefOf(models.RefTicket, t.ID), Kind: models.AttachBefore,
		Hash: attachments.Name(img.Data), ThumbHash: attachments.Name(img.Thumb), Size: int64(len(img.Data)), Mime: img.Mime,
		StaffID: &staff, Uploader: "staff:" + strconv.FormatUint(staff, 10), UploadedAt: time.Now()}
	h.must(h.blobs.Put(ctx, a.Hash, img.Data, img.Mime))
	h.must(h.blobs.Put(ctx, a.ThumbHash, img.Thumb, attachments.MimeJPEG))
	_, err = h.store.AddAttachment(ctx, &a)
	h.must(err)
	return a
}

// addPhoto posts a photo of kind as the multipart form of path, decoding
// a success into out unless it is nil.
func (h *harness) addPhoto(path, token, kind, name string, data []byte, out any) response {
	h.t.Helper()
	res := h.upload(path, token, map[string]string{"kind": kind}, name, data)
	if out != nil && res.status < 300 {
		h.must(json.Unmarshal(res.body, out))
	}
	return res
}

func TestTicketPhotos(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tech := h.tokens[models.RoleTechnician]
		path := fmt.Sprintf("/api/v1/tickets/%d/attachments", h.a.ticket.ID)
		photo := attachtest.JPEGWithGPS(64, 48, 1)

		var added attachmentView
		h.wantStatus(h.addPhoto(path, tech, "after", "修好了.jpg", photo, &added), http.StatusCreated)
		if added.Kind != models.AttachAfter || added.UploadedBy != "staff" || added.Mime != attachments.MimeJPEG || added.Width != 64 {
			t.Errorf("added: got %+v, want an after photo of 64 px by staff", added)
		}
		var again attachmentView
		h.wantStatus(h.addPhoto(path, tech, "after", "again.jpg", photo, &again), http.StatusOK)
		if again.ID != added.ID {
			t.Errorf("the same photo again: got id %d, want %d", again.ID, added.ID)
		}
		var list listBody[attachmentView]
		h.wantStatus(h.do(http.MethodGet, path, h.tokens[models.RoleFinance], nil, &list), http.StatusOK)
		if list.Total != 2 || list.Items[0].ID != h.a.photo.ID || list.Items[1].ID != added.ID {
			t.Errorf("photos of the ticket: got %+v, want the fixture then %d", list.Items, added.ID)
		}

		file := h.do(http.MethodGet, added.URL, tech, nil, nil)
		h.wantStatus(file, http.StatusOK)
		if got := file.header.Get("Cache-Control"); got != "private, max-age=31536000, immutable" {
			t.Errorf("Cache-Control: got %q, want private and long", got)
		}
		if got := file.header.Get("Content-Type"); got != attachments.MimeJPEG {
			t.Errorf("Content-Type: got %q, want %s", got, attachments.MimeJPEG)
		}
		if bytes.Contains(file.body, []byte(gpsSecret)) || bytes.Contains(file.body, []byte("Exif")) {
			t.Error("the served photo still holds its EXIF block")
		}
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+added.URL, nil)
		req.Header.Set("If-None-Match", file.header.Get("ETag"))
		h.wantStatus(h.send(req, tech, nil), http.StatusNotModified)
		thumb := h.do(http.MethodGet, added.ThumbURL, tech, nil, nil)
		h.wantStatus(thumb, http.StatusOK)
		if _, format, err := image.DecodeConfig(bytes.NewReader(thumb.body)); err != nil || format != "jpeg" {
			t.Errorf("thumbnail: got %s, %v, want a JPEG", format, err)
		}

		// Another estate's photo, ticket and follow-up are not there.
		for _, p := range []string{fmt.Sprintf("/api/v1/attachments/%d", h.b.photo.ID), fmt.Sprintf("/api/v1/attachments/%d/thumb", h.b.photo.ID),
			fmt.Sprintf("/api/v1/tickets/%d/attachments", h.b.ticket.ID)} {
			h.wantError(h.do(http.MethodGet, p, tech, nil, nil), http.StatusNotFound, codeNotFound, "")
		}
		h.wantError(h.addPhoto(fmt.Sprintf("/api/v1/tickets/%d/attachments", h.b.ticket.ID), tech, "after", "x.jpg", photo, nil), http.StatusNotFound, codeNotFound, "")
		// Company-level staff see every estate's.
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", h.b.photo.ID), h.tokens[models.RoleCompanyAdmin], nil, nil), http.StatusOK)

		tests := []struct {
			name, kind, file string
			data             []byte
			field            string
		}{
			{"a pdf named .jpg", "before", "scan.jpg", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj"), "file"},
			{"heic", "before", "IMG_0001.HEIC", attachtest.HEIC(), "file"},
			{"no such kind", "evidence", "a.jpg", photo, "kind"},
			{"too large", "before", "big.jpg", append(attachtest.JPEGWithGPS(8, 8, 1), make([]byte, attachments.DefaultMaxBytes)...), "file"},
		}
		for _, tt := range tests {
			h.wantError(h.addPhoto(path, tech, tt.kind, tt.file, tt.data, nil), http.StatusBadRequest, codeInvalidInput, tt.field)
		}
	})
}

func TestPhotoUploadLimit(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		ctx := context.Background()
		cs := h.staffOf(models.RoleCustomerService)
		first := time.Now().Add(-50 * time.Minute)
		for i := range models.DefaultUploadsPerHour {
			a := models.Attachment{EstateID: h.a.estate.ID, Ref: models.RefOf(models.RefTicket, h.a.ticket.ID), Kind: models.AttachReport,
				Hash: fmt.Sprintf("%064d", i), ThumbHash: fmt.Sprintf("%064d", i), Mime: attachments.MimeJPEG,
				StaffID: &cs, Uploader: "staff:" + strconv.FormatUint(cs, 10), UploadedAt: first.Add(time.Duration(i) * time.Second)}
			_, err := h.store.AddAttachment(ctx, &a)
			h.must(err)
		}
		path := fmt.Sprintf("/api/v1/tickets/%d/attachments", h.a.ticket.ID)
		res := h.addPhoto(path, h.tokens[models.RoleCustomerService], "report", "a.jpg", attachtest.JPEGWithGPS(8, 8, 1), nil)
		h.wantError(res, http.StatusTooManyRequests, codeTooManyRequests, "")
		retry, err := strconv.Atoi(res.header.Get("Retry-After"))
		if err != nil || retry < 9*60 || retry > 10*60+1 {
			t.Errorf("Retry-After: got %q, want about 10 minutes, when the first of the hour is an hour old", res.header.Get("Retry-After"))
		}
		// Another person's count is their own.
		h.wantStatus(h.addPhoto(path, h.tokens[models.RoleSupervisor], "report", "a.jpg", attachtest.JPEGWithGPS(8, 8, 1), nil), http.StatusCreated)
	})
}
