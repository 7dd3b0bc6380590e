package api

import (
	"errors"
	"testing"

	"github.com/gin-gonic/gin/binding"

	"github.com/wuye/wuye/models"
)

// TestValidationErrorNamesTheUnit checks that a size rule's refusal says
// what it counts: characters of a text (the note a member of staff types),
// items of a list, nothing for a number.
func TestValidationErrorNamesTheUnit(t *testing.T) {
	type body struct {
		Note   string   `json:"note" binding:"max=3"`
		Code   string   `json:"code" binding:"omitempty,len=2"`
		Photos []string `json:"photos" binding:"max=2"`
		Floors int      `json:"floors" binding:"lte=99"`
	}
	tests := []struct {
		name string
		in   body
		want string
	}{
		{"text too long", body{Note: "厨房漏水了"}, "不能超过 3 个字"},
		{"text of the wrong length", body{Code: "abc"}, "应为 2 个字"},
		{"too many items", body{Photos: []string{"a", "b", "c"}}, "不能超过 2 项"},
		{"number too large", body{Floors: 100}, "不能超过 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validationError(binding.Validator.ValidateStruct(tt.in))
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Reason != tt.want {
				t.Fatalf("got %v, want the reason %q", err, tt.want)
			}
		})
	}
}
