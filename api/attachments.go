package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/models"
)

// AttachmentOptions are where photos are kept and how many may come.
type AttachmentOptions struct {
	// Blobs holds the photos and thumbnails; nil turns the photo routes
	// off (404).
	Blobs attachments.Blobs
	// MaxBytes bounds one photo (zero: attachments.DefaultMaxBytes).
	MaxBytes int64
	// PerHour bounds the photos one staff member uploads in an hour, and
	// ResidentPerHour those one resident's link uploads (zero: the
	// models defaults).
	PerHour, ResidentPerHour int
}

func (o AttachmentOptions) withDefaults() AttachmentOptions {
	if o.MaxBytes <= 0 {
		o.MaxBytes = attachments.DefaultMaxBytes
	}
	if o.PerHour <= 0 {
		o.PerHour = models.DefaultUploadsPerHour
	}
	if o.ResidentPerHour <= 0 {
		o.ResidentPerHour = models.DefaultResidentUploadsPerHour
	}
	return o
}

// attachmentView is a photo as the API shows it: its record, what it shows,
// and where to read it and its thumbnail.
type attachmentView struct {
	ID         uint64                `json:"id"`
	EstateID   uint64                `json:"estate_id"`
	Ref        string                `json:"ref"`
	Kind       models.AttachmentKind `json:"kind"`
	Mime       string                `json:"mime"`
	Size       int64                 `json:"size"`
	Width      int                   `json:"width"`
	Height     int                   `json:"height"`
	UploadedBy string                `json:"uploaded_by"` // staff or resident
	StaffID    *uint64               `json:"staff_id,omitempty"`
	UploadedAt time.Time             `json:"uploaded_at"`
	URL        string                `json:"url"`
	ThumbURL   string                `json:"thumb_url"`
}

func viewAttachment(a models.Attachment) attachmentView {
	by := "staff"
	if a.StaffID == nil {
		by = "resident"
	}
	url := "/api/v1/attachments/" + strconv.FormatUint(a.ID, 10)
	return attachmentView{ID: a.ID, EstateID: a.EstateID, Ref: a.Ref, Kind: a.Kind, Mime: a.Mime, Size: a.Size,
		Width: a.Width, Height: a.Height, UploadedBy: by, StaffID: a.StaffID, UploadedAt: a.UploadedAt,
		URL: url, ThumbURL: url + "/thumb"}
}

// photoRecord is what each kind of record takes photos of: the kinds of
// photo, and the roles that read and add them.
type photoRecord struct {
	kinds           []models.AttachmentKind
	readers, adders []models.Role
}

var photoRecords = map[string]photoRecord{
	models.RefTicket: {kinds: []models.AttachmentKind{models.AttachReport, models.AttachBefore, models.AttachAfter},
		readers: everyRole, adders: everyRole},
	models.RefFollowUp: {kinds: []models.AttachmentKind{models.AttachEvidence, models.AttachReport},
		readers: everyRole, adders: deskRoles},
	models.RefDispute: {kinds: []models.AttachmentKind{models.AttachEvidence},
		readers: disputeRoles, adders: disputeRoles},
	models.RefContractVersion: {kinds: []models.AttachmentKind{models.AttachEvidence},
		readers: dashboardRoles, adders: managers},
}

// photoForm is the multipart form of a staff upload.
func photoForm(kinds []models.AttachmentKind) []param {
	return []param{
		{"kind", "string", "what the photo shows: " + strings.Join(kindNames(kinds), ", ")},
		{"file", "file", "the photo: JPEG or PNG (by content; HEIC is refused), at most 10 MB; stored re-encoded without EXIF, with a thumbnail"},
	}
}

func kindNames(kinds []models.AttachmentKind) []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return names
}

// listPhotos answers the photos of the record of type typ named by :id.
func (s *Server) listPhotos(typ string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ref, _, ok := s.photoOwner(c, typ)
		if !ok {
			return
		}
		list, err := s.store.Attachments(c.Request.Context(), caller(c).scope(), ref)
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		out := make([]attachmentView, len(list))
		for i, a := range list {
			out[i] = viewAttachment(a)
		}
		c.JSON(http.StatusOK, listBody[attachmentView]{Items: out, Total: int64(len(out)), Page: 1, PageSize: len(out)})
	}
}

// addPhoto stores one photo (form fields kind and file) of the record of
// type typ named by :id: 201, or 200 with the record of the same photo
// added before.
func (s *Server) addPhoto(typ string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ref, estate, ok := s.photoOwner(c, typ)
		if !ok {
			return
		}
		p, ctx := caller(c), c.Request.Context()
		files, err := s.readPhotos(c, 1)
		kind := strings.TrimSpace(c.PostForm("kind"))
		if kinds := photoRecords[typ].kinds; err == nil && !slices.Contains(kinds, models.AttachmentKind(kind)) {
			err = models.Invalid("kind", "应为以下之一：%s", strings.Join(kindNames(kinds), "、"))
		}
		if err == nil {
			err = s.checkUploads(ctx, "staff:"+strconv.FormatUint(p.Staff.ID, 10), s.attach.PerHour, 1)
		}
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		a, created, err := s.savePhoto(ctx, photoUpload{EstateID: estate, Ref: ref, Kind: models.AttachmentKind(kind),
			Data: files[0], StaffID: &p.Staff.ID, Uploader: "staff:" + strconv.FormatUint(p.Staff.ID, 10)})
		if err != nil {
			respondError(c, s.log, err)
			return
		}
		s.log.InfoContext(ctx, "photo added", "ref", ref, "attachment_id", a.ID, "kind", a.Kind, "created", created)
		c.JSON(createdStatus(created), viewAttachment(a))
	}
}

// photoOwner finds the record of type typ named by :id inside the caller's
// estates and checks that the caller's role may see its photos; else it
// answers 404 (or 403 for the role) itself.
func (s *Server) photoOwner(c *gin.Context, typ string) (ref string, estate uint64, ok bool) {
	if s.attach.Blobs == nil {
		respondError(c, s.log, models.ErrNotFound)
		return "", 0, false
	}
	id, err := pathID(c, "id")
	if err == nil {
		ref = models.RefOf(typ, id)
		estate, err = s.store.AttachmentOwner(c.Request.Context(), caller(c).scope(), ref)
	}
	if err != nil {
		respondError(c, s.log, err)
		return "", 0, false
	}
	return ref, estate, true
}

// readPhotos reads the form's files (field "file", at most max of them,
// each at most MaxBytes); the form's other fields stay in c.
func (s *Server) readPhotos(c *gin.Context, most int) ([][]byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(most)*s.attach.MaxBytes+256<<10)
	form, err := c.MultipartForm()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, models.Invalid("file", "图片超过 %d MB", s.attach.MaxBytes>>20)
		}
		return nil, models.Invalid("file", "应以 multipart/form-data 上传图片")
	}
	fhs := form.File["file"]
	switch {
	case len(fhs) == 0 && most == 1:
		return nil, models.Invalid("file", "请选择一张图片")
	case len(fhs) > most:
		return nil, models.Invalid("file", "最多上传 %d 张图片", most)
	}
	out := make([][]byte, 0, len(fhs))
	for _, fh := range fhs {
		data, err := readUpload(fh, s.attach.MaxBytes, "图片")
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

// checkUploads refuses n more photos from uploader when the last hour's
// and these would pass perHour (429, Retry-After when the earliest of the
// hour is an hour old).
func (s *Server) checkUploads(ctx context.Context, uploader string, perHour, n int) error {
	now := s.now()
	count, first, err := s.store.UploadsSince(ctx, uploader, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if int(count)+n <= perHour {
		return nil
	}
	wait := time.Hour
	if !first.IsZero() {
		wait = max(first.Add(time.Hour).Sub(now), time.Second)
	}
	return &models.RateLimitError{RetryAfter: wait,
		Reason: fmt.Sprintf("每小时最多上传 %d 张图片，请 %d 分钟后再试", perHour, int(wait.Minutes())+1)}
}

// photoUpload is one photo to check, store and record.
type photoUpload struct {
	EstateID   uint64
	Ref        string
	Kind       models.AttachmentKind
	Data       []byte
	StaffID    *uint64
	ResidentID *uint64
	Uploader   string
}

// savePhoto checks and re-encodes the photo (attachments.Prepare), stores
// it and its thumbnail under their content hashes, and records it.
func (s *Server) savePhoto(ctx context.Context, u photoUpload) (models.Attachment, bool, error) {
	img, err := attachments.Prepare(u.Data, s.attach.MaxBytes, "file")
	if err != nil {
		return models.Attachment{}, false, err
	}
	return s.storePhoto(ctx, img, u)
}

// storePhoto stores a photo already prepared and records it (u.Data is
// not read).
func (s *Server) storePhoto(ctx context.Context, img attachments.Image, u photoUpload) (models.Attachment, bool, error) {
	hash, thumb := attachments.Name(img.Data), attachments.Name(img.Thumb)
	if err := s.putOnce(ctx, hash, img.Data, img.Mime); err != nil {
		return models.Attachment{}, false, err
	}
	if err := s.putOnce(ctx, thumb, img.Thumb, attachments.MimeJPEG); err != nil {
		return models.Attachment{}, false, err
	}
	a := models.Attachment{EstateID: u.EstateID, Ref: u.Ref, Kind: u.Kind, Hash: hash, ThumbHash: thumb,
		Size: int64(len(img.Data)), Mime: img.Mime, Width: img.Width, Height: img.Height,
		StaffID: u.StaffID, ResidentID: u.ResidentID, Uploader: u.Uploader, UploadedAt: s.now()}
	created, err := s.store.AddAttachment(ctx, &a)
	return a, created, err
}

// putOnce stores data under its content-hash name unless the store holds
// it already (the same photo sent again, or to another record).
func (s *Server) putOnce(ctx context.Context, name string, data []byte, mime string) error {
	if info, err := s.attach.Blobs.Stat(ctx, name); err == nil && info.Size == int64(len(data)) {
		return nil
	}
	return s.attach.Blobs.Put(ctx, name, data, mime)
}

// servePhoto answers the bytes of the photo named by :id (its thumbnail
// when thumb), to staff who may see its record: 404 for another estate's
// or a record the caller's role does not read. The bytes under a name never
// change, so a browser keeps them, but only its own cache (private).
func (s *Server) servePhoto(thumb bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.attach.Blobs == nil {
			respondError(c, s.log, models.ErrNotFound)
			return
		}
		a, ok := loadScoped(s, c, s.store.Attachment)
		if !ok {
			return
		}
		typ, _, _ := models.ParseRef(a.Ref)
		if !caller(c).is(photoRecords[typ].readers...) {
			respondError(c, s.log, models.ErrNotFound)
			return
		}
		name, mime := a.Hash, a.Mime
		if thumb {
			name, mime = a.ThumbHash, attachments.MimeJPEG
		}
		h := c.Writer.Header()
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
		h.Set("ETag", `"`+name+`"`)
		h.Set("Content-Security-Policy", "default-src 'none'")
		if strings.Contains(c.GetHeader("If-None-Match"), name) {
			c.Status(http.StatusNotModified)
			return
		}
		data, err := s.attach.Blobs.Get(c.Request.Context(), name)
		if err != nil {
			h.Set("Cache-Control", "no-store")
			respondError(c, s.log, fmt.Errorf("photo %d: %w", a.ID, err))
			return
		}
		c.Data(http.StatusOK, mime, data)
	}
}

func (s *Server) attachmentRoutes() []route {
	rs := []route{
		{method: http.MethodGet, path: "/api/v1/attachments/:id", summary: "A photo's bytes (JPEG or PNG, without EXIF), to staff who may see its record; cached privately for a year (the bytes of an id never change)", tag: "attachments",
			roles: everyRole, handler: s.servePhoto(false), status: http.StatusOK, scoped: true},
		{method: http.MethodGet, path: "/api/v1/attachments/:id/thumb", summary: "A photo's thumbnail (JPEG, at most 320 px a side), to staff who may see its record", tag: "attachments",
			roles: everyRole, handler: s.servePhoto(true), status: http.StatusOK, scoped: true},
	}
	for _, r := range []struct{ typ, path, what string }{
		{models.RefTicket, "/api/v1/tickets/:id/attachments", "a ticket (the report, the technician's before and after)"},
		{models.RefFollowUp, "/api/v1/follow-ups/:id/attachments", "a follow-up's visit record"},
		{models.RefDispute, "/api/v1/disputes/:id/attachments", "a bill dispute (evidence)"},
		{models.RefContractVersion, "/api/v1/contract-versions/:id/attachments", "a service contract's version (the signed pages, as evidence)"},
	} {
		pr := photoRecords[r.typ]
		rs = append(rs,
			route{method: http.MethodGet, path: r.path, summary: "The photos of " + r.what + ", in the order they came", tag: "attachments",
				roles: pr.readers, handler: s.listPhotos(r.typ), resp: listBody[attachmentView]{}, status: http.StatusOK, scoped: true},
			route{method: http.MethodPost, path: r.path, summary: "Add a photo to " + r.what + " (multipart form; the same photo again answers 200 with its record; 429 with Retry-After past the hourly limit)", tag: "attachments",
				roles: pr.adders, handler: s.addPhoto(r.typ), form: photoForm(pr.kinds), resp: attachmentView{}, status: http.StatusCreated, scoped: true})
	}
	return rs
}
