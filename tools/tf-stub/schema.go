package main

// The schema file written by tools/validate/tf-schema.mjs, and its translation into the framework's
// schema types. The framework has one schema package per kind (provider, resource, data source,
// ephemeral resource) with distinct Go types, so each kind has its own small translator; all
// share the type and validator helpers.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

type schemaFile struct {
	Provider           string            `json:"provider"`
	Version            string            `json:"version"`
	ProviderConfig     *block            `json:"provider_config"`
	Resources          map[string]*block `json:"resources"`
	DataSources        map[string]*block `json:"data_sources"`
	EphemeralResources map[string]*block `json:"ephemeral_resources"`
}

type block struct {
	Attributes map[string]*attribute `json:"attributes"`
	Blocks     map[string]*nested    `json:"blocks"`
}

type attribute struct {
	Type      json.RawMessage `json:"type"`
	Nested    *nested         `json:"nested"`
	Required  bool            `json:"required"`
	Optional  bool            `json:"optional"`
	Computed  bool            `json:"computed"`
	Sensitive bool            `json:"sensitive"`
	WriteOnly bool            `json:"write_only"`
}

type nested struct {
	Mode     string `json:"mode"` // list, set, map, single
	Block    *block `json:"block"`
	MinItems int    `json:"min_items"`
	MaxItems int    `json:"max_items"`
}

func loadSchema(path string) (*schemaFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s schemaFile
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// attrType turns the schema file's type ("string", ["list","string"], ["object",{...}]) into a
// framework type.
func attrType(raw json.RawMessage) (attr.Type, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		switch name {
		case "string":
			return types.StringType, nil
		case "number":
			return types.NumberType, nil
		case "bool":
			return types.BoolType, nil
		case "dynamic":
			return types.DynamicType, nil
		}
		return nil, fmt.Errorf("unknown type %q", name)
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return nil, fmt.Errorf("bad type %s", raw)
	}
	var kind string
	if err := json.Unmarshal(pair[0], &kind); err != nil {
		return nil, err
	}
	if kind == "object" {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(pair[1], &fields); err != nil {
			return nil, err
		}
		types_ := map[string]attr.Type{}
		for k, v := range fields {
			t, err := attrType(v)
			if err != nil {
				return nil, err
			}
			types_[k] = t
		}
		return types.ObjectType{AttrTypes: types_}, nil
	}
	elem, err := attrType(pair[1])
	if err != nil {
		return nil, err
	}
	switch kind {
	case "list":
		return types.ListType{ElemType: elem}, nil
	case "set":
		return types.SetType{ElemType: elem}, nil
	case "map":
		return types.MapType{ElemType: elem}, nil
	}
	return nil, fmt.Errorf("unknown collection %q", kind)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sizeBetween enforces a block's item bounds (MaxItems/MinItems of the SDK-based resources'
// blocks). Terraform core enforces them from such a provider's schema (hcldec, with HCL's
// wording); the framework serves blocks without bounds, so a validator carries them here.
type sizeBetween struct{ min, max int }

func (v sizeBetween) Description(context.Context) string {
	return fmt.Sprintf("between %d and %d items", v.min, v.max)
}
func (v sizeBetween) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v sizeBetween) check(p path.Path, n int, null, unknown bool, d *diag.Diagnostics) {
	if unknown {
		return
	}
	if null {
		n = 0
	}
	name := lastName(p)
	if v.min > 0 && n < v.min {
		d.AddAttributeError(p, fmt.Sprintf("Insufficient %s blocks", name), fmt.Sprintf("At least %d %q blocks are required.", v.min, name))
	}
	if v.max > 0 && n > v.max {
		is := tooManyBlocks(name, v.max)
		d.AddAttributeError(p, is.summary, is.detail)
	}
}

// tooManyBlocks is HCL's decoder error (hcldec BlockListSpec / BlockSetSpec) for more blocks
// than the served schema's max_items.
func tooManyBlocks(name string, max int) issue {
	return issue{summary: fmt.Sprintf("Too many %s blocks", name), detail: fmt.Sprintf("No more than %d %q blocks are allowed", max, name)}
}

func (v sizeBetween) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	v.check(req.Path, len(req.ConfigValue.Elements()), req.ConfigValue.IsNull(), req.ConfigValue.IsUnknown(), &resp.Diagnostics)
}

func (v sizeBetween) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	v.check(req.Path, len(req.ConfigValue.Elements()), req.ConfigValue.IsNull(), req.ConfigValue.IsUnknown(), &resp.Diagnostics)
}

func listValidators(n *nested) []validator.List {
	if n.MinItems == 0 && n.MaxItems == 0 {
		return nil
	}
	return []validator.List{sizeBetween{n.MinItems, n.MaxItems}}
}

func setValidators(n *nested) []validator.Set {
	if n.MinItems == 0 && n.MaxItems == 0 {
		return nil
	}
	return []validator.Set{sizeBetween{n.MinItems, n.MaxItems}}
}

// kit holds one framework schema package's Go types. The four packages (provider, resource,
// data source, ephemeral) have the same shapes under different types, and some lack fields
// (provider attributes cannot be Computed; only resources have WriteOnly), so one reflective
// builder serves all four and refuses a flag the package cannot carry.
type kit struct {
	name                                                string
	str, num, boolean, dynamic, list, set, mapT, object reflect.Type
	listNested, setNested, mapNested, singleNested      reflect.Type
	nestedAttrObject, listBlock, setBlock, singleBlock  reflect.Type
	nestedBlockObject                                   reflect.Type
}

func setField(v reflect.Value, name string, value any) error {
	f := v.FieldByName(name)
	if !f.IsValid() {
		return fmt.Errorf("%s has no field %s", v.Type(), name)
	}
	f.Set(reflect.ValueOf(value).Convert(f.Type()))
	return nil
}

func setFlags(v reflect.Value, a *attribute) error {
	for name, on := range map[string]bool{"Required": a.Required, "Optional": a.Optional, "Computed": a.Computed, "Sensitive": a.Sensitive, "WriteOnly": a.WriteOnly} {
		if !on {
			continue
		}
		if err := setField(v, name, true); err != nil {
			return err
		}
	}
	return nil
}

// checked carries the type's validator manifest while a schema is built, so that every
// attribute the manifest checks gets its validator, wherever it is nested.
type checked struct {
	m      *manifest
	prefix string
}

func (c checked) at(name string) checked { return checked{c.m, c.prefix + name + "."} }

// attachChecks sets the attribute's Validators field to the manifest's checks on it.
func attachChecks(v reflect.Value, c checked, name string) error {
	if c.m == nil {
		return nil
	}
	a := c.m.Attributes[c.prefix+name]
	if a == nil || len(a.Checks) == 0 {
		return nil
	}
	f := v.FieldByName("Validators")
	if !f.IsValid() {
		return fmt.Errorf("%s has no Validators field", v.Type())
	}
	av := attrValidator{m: c.m, name: c.prefix + name, checks: a.Checks, source: a.Source}
	f.Set(reflect.Append(f, reflect.ValueOf(av)))
	return nil
}

// attributes builds the package's map[string]Attribute (field "Attributes" of the holder type).
func (k kit) fill(holder reflect.Value, b *block, c checked) error {
	attrs := holder.FieldByName("Attributes")
	m := reflect.MakeMap(attrs.Type())
	for _, name := range sortedKeys(b.Attributes) {
		v, err := k.attribute(b.Attributes[name], c.at(name))
		if err == nil {
			err = attachChecks(v, c, name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m.SetMapIndex(reflect.ValueOf(name), v)
	}
	attrs.Set(m)
	if len(b.Blocks) == 0 {
		return nil
	}
	blocks := holder.FieldByName("Blocks")
	bm := reflect.MakeMap(blocks.Type())
	for _, name := range sortedKeys(b.Blocks) {
		v, err := k.block(b.Blocks[name], c.at(name))
		if err == nil && v.FieldByName("Validators").IsValid() {
			err = attachChecks(v, c, name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		bm.SetMapIndex(reflect.ValueOf(name), v)
	}
	blocks.Set(bm)
	return nil
}

func (k kit) attribute(a *attribute, c checked) (reflect.Value, error) {
	var v reflect.Value
	if a.Nested != nil {
		obj := reflect.New(k.nestedAttrObject).Elem()
		if err := k.fill(obj, a.Nested.Block, c); err != nil {
			return v, err
		}
		switch a.Nested.Mode {
		case "list":
			v = reflect.New(k.listNested).Elem()
		case "set":
			v = reflect.New(k.setNested).Elem()
		case "map":
			v = reflect.New(k.mapNested).Elem()
		case "single":
			v = reflect.New(k.singleNested).Elem()
			if err := setField(v, "Attributes", obj.FieldByName("Attributes").Interface()); err != nil {
				return v, err
			}
			return v, setFlags(v, a)
		default:
			return v, fmt.Errorf("nesting mode %q", a.Nested.Mode)
		}
		if err := setField(v, "NestedObject", obj.Interface()); err != nil {
			return v, err
		}
		return v, setFlags(v, a)
	}
	t, err := attrType(a.Type)
	if err != nil {
		return v, err
	}
	switch tt := t.(type) {
	case basetypes.StringType:
		v = reflect.New(k.str).Elem()
	case basetypes.NumberType:
		v = reflect.New(k.num).Elem()
	case basetypes.BoolType:
		v = reflect.New(k.boolean).Elem()
	case basetypes.DynamicType:
		v = reflect.New(k.dynamic).Elem()
	case types.ListType:
		v = reflect.New(k.list).Elem()
		err = setField(v, "ElementType", tt.ElemType)
	case types.SetType:
		v = reflect.New(k.set).Elem()
		err = setField(v, "ElementType", tt.ElemType)
	case types.MapType:
		v = reflect.New(k.mapT).Elem()
		err = setField(v, "ElementType", tt.ElemType)
	case types.ObjectType:
		v = reflect.New(k.object).Elem()
		err = setField(v, "AttributeTypes", tt.AttrTypes)
	default:
		return v, fmt.Errorf("type %s", t)
	}
	if err != nil {
		return v, err
	}
	return v, setFlags(v, a)
}

func (k kit) block(n *nested, c checked) (reflect.Value, error) {
	obj := reflect.New(k.nestedBlockObject).Elem()
	if err := k.fill(obj, n.Block, c); err != nil {
		return obj, err
	}
	var v reflect.Value
	switch n.Mode {
	case "list":
		v = reflect.New(k.listBlock).Elem()
		if vs := listValidators(n); vs != nil {
			if err := setField(v, "Validators", vs); err != nil {
				return v, err
			}
		}
	case "set":
		v = reflect.New(k.setBlock).Elem()
		if vs := setValidators(n); vs != nil {
			if err := setField(v, "Validators", vs); err != nil {
				return v, err
			}
		}
	case "single":
		v = reflect.New(k.singleBlock).Elem()
		if err := setField(v, "Attributes", obj.FieldByName("Attributes").Interface()); err != nil {
			return v, err
		}
		if b := obj.FieldByName("Blocks"); !b.IsNil() {
			if err := setField(v, "Blocks", b.Interface()); err != nil {
				return v, err
			}
		}
		return v, nil
	default:
		return v, fmt.Errorf("block nesting mode %q", n.Mode)
	}
	return v, setField(v, "NestedObject", obj.Interface())
}

// schema returns the package's Schema struct (attributes and blocks filled) for a block.
func (k kit) schema(schemaType reflect.Type, b *block, m *manifest) (reflect.Value, error) {
	s := reflect.New(schemaType).Elem()
	return s, k.fill(s, b, checked{m: m})
}
