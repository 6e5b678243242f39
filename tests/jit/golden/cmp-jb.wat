(module
 (type $0 (func))
 (type $1 (func (param i32 i32) (result i32)))
 (type $2 (func (param i32 i32 i32)))
 (type $3 (func (param i32) (result i32)))
 (type $4 (func (result i32)))
 (import "core" "memory" (memory $mem 1))
 (import "core" "execOne" (func $execOne))
 (import "core" "helper_condition" (func $cond (param i32) (result i32)))
 (import "core" "helper_read8" (func $read8 (param i32 i32) (result i32)))
 (import "core" "helper_read16" (func $read16 (param i32 i32) (result i32)))
 (import "core" "helper_write8" (func $write8 (param i32 i32 i32)))
 (import "core" "helper_write16" (func $write16 (param i32 i32 i32)))
 (import "core" "helper_get_cf" (func $getCF (result i32)))
 (export "block" (func $block))
 (func $block
  (local $0 i32)
  (local $1 i32)
  (local $2 i32)
  (local $3 i32)
  (loop $dispatch
   (block $b0
    (br_table $b0 $b0
     (local.get $0)
    )
   )
   (block
    (i32.store
     (i32.const 4132)
     (i32.or
      (i32.and
       (i32.load
        (i32.const 4132)
       )
       (i32.const -2)
      )
      (call $getCF)
     )
    )
    (i32.store
     (i32.const 4192)
     (i32.const 4101)
    )
    (i32.store
     (i32.const 4196)
     (i32.load16_u
      (i32.const 4120)
     )
    )
    (i32.store
     (i32.const 4200)
     (i32.const 1)
    )
    (i32.store
     (i32.const 4204)
     (i32.add
      (i32.load16_u
       (i32.const 4120)
      )
      (i32.const 1)
     )
    )
    (i32.store16
     (i32.const 4120)
     (i32.load
      (i32.const 4204)
     )
    )
    (i32.store
     (i32.const 4192)
     (i32.const 4098)
    )
    (i32.store
     (i32.const 4196)
     (i32.load16_u
      (i32.const 4120)
     )
    )
    (i32.store
     (i32.const 4200)
     (i32.load16_u
      (i32.const 4124)
     )
    )
    (i32.store
     (i32.const 4204)
     (i32.sub
      (i32.load16_u
       (i32.const 4120)
      )
      (i32.load16_u
       (i32.const 4124)
      )
     )
    )
    (i64.store
     (i32.const 4224)
     (i64.add
      (i64.load
       (i32.const 4224)
      )
      (i64.const 3)
     )
    )
    (if
     (i32.lt_u
      (i32.and
       (i32.load
        (i32.const 4196)
       )
       (i32.const 65535)
      )
      (i32.and
       (i32.load
        (i32.const 4200)
       )
       (i32.const 65535)
      )
     )
     (then
      (if
       (i32.and
        (i64.le_s
         (i64.add
          (i64.load
           (i32.const 4224)
          )
          (i64.const 3)
         )
         (i64.load
          (i32.const 4232)
         )
        )
        (i32.eqz
         (i32.load
          (i32.const 4244)
         )
        )
       )
       (then
        (local.set $0
         (i32.const 0)
        )
        (br $dispatch)
       )
      )
      (i32.store
       (i32.const 4128)
       (i32.const 4096)
      )
      (return)
     )
    )
    (i32.store
     (i32.const 4128)
     (i32.const 4101)
    )
    (return)
    (i32.store
     (i32.const 4128)
     (i32.const 4101)
    )
    (return)
   )
  )
 )
)
