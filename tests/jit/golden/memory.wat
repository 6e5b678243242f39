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
    (i64.store
     (i32.const 4224)
     (i64.add
      (i64.load
       (i32.const 4224)
      )
      (i64.const 1)
     )
    )
    (i32.store
     (i32.const 4268)
     (i32.const 4096)
    )
    (local.set $1
     (i32.and
      (i32.add
       (i32.add
        (i32.const 4)
        (i32.load16_u
         (i32.const 4108)
        )
       )
       (i32.load16_u
        (i32.const 4120)
       )
      )
      (i32.const 65535)
     )
    )
    (local.set $2
     (i32.add
      (i32.load
       (i32.const 4172)
      )
      (local.get $1)
     )
    )
    (i32.store16
     (i32.const 4096)
     (if (result i32)
      (i32.or
       (i32.and
        (local.tee $3
         (i32.load
          (i32.add
           (i32.const 8192)
           (i32.shl
            (i32.shr_u
             (local.get $2)
             (i32.const 12)
            )
            (i32.const 2)
           )
          )
         )
        )
        (i32.const 4095)
       )
       (i32.or
        (i32.eq
         (i32.and
          (local.get $2)
          (i32.const 4095)
         )
         (i32.const 4095)
        )
        (i32.eq
         (local.get $1)
         (i32.const 65535)
        )
       )
      )
      (then
       (call $read16
        (i32.const 3)
        (local.get $1)
       )
      )
      (else
       (i32.load16_u align=1
        (i32.add
         (local.get $3)
         (local.get $2)
        )
       )
      )
     )
    )
    (i64.store
     (i32.const 4224)
     (i64.add
      (i64.load
       (i32.const 4224)
      )
      (i64.const 1)
     )
    )
    (i32.store
     (i32.const 4268)
     (i32.const 4099)
    )
    (local.set $1
     (i32.and
      (i32.add
       (i32.const 0)
       (i32.load16_u
        (i32.const 4124)
       )
      )
      (i32.const 65535)
     )
    )
    (local.set $2
     (i32.add
      (i32.load
       (i32.const 4172)
      )
      (local.get $1)
     )
    )
    (local.set $3
     (if (result i32)
      (i32.or
       (i32.and
        (local.tee $3
         (i32.load
          (i32.add
           (i32.const 8192)
           (i32.shl
            (i32.shr_u
             (local.get $2)
             (i32.const 12)
            )
            (i32.const 2)
           )
          )
         )
        )
        (i32.const 4095)
       )
       (i32.or
        (i32.eq
         (i32.and
          (local.get $2)
          (i32.const 4095)
         )
         (i32.const 4095)
        )
        (i32.eq
         (local.get $1)
         (i32.const 65535)
        )
       )
      )
      (then
       (call $read16
        (i32.const 3)
        (local.get $1)
       )
      )
      (else
       (i32.load16_u align=1
        (i32.add
         (local.get $3)
         (local.get $2)
        )
       )
      )
     )
    )
    (i32.store
     (i32.const 4192)
     (i32.const 4097)
    )
    (i32.store
     (i32.const 4196)
     (local.get $3)
    )
    (i32.store
     (i32.const 4200)
     (i32.load16_u
      (i32.const 4096)
     )
    )
    (i32.store
     (i32.const 4204)
     (i32.add
      (local.get $3)
      (i32.load16_u
       (i32.const 4096)
      )
     )
    )
    (if
     (i32.or
      (i32.and
       (local.tee $3
        (i32.load
         (i32.add
          (i32.const 10240)
          (i32.shl
           (i32.shr_u
            (local.get $2)
            (i32.const 12)
           )
           (i32.const 2)
          )
         )
        )
       )
       (i32.const 4095)
      )
      (i32.or
       (i32.eq
        (i32.and
         (local.get $2)
         (i32.const 4095)
        )
        (i32.const 4095)
       )
       (i32.eq
        (local.get $1)
        (i32.const 65535)
       )
      )
     )
     (then
      (call $write16
       (i32.const 3)
       (local.get $1)
       (i32.load
        (i32.const 4204)
       )
      )
      (if
       (i32.load
        (i32.const 4244)
       )
       (then
        (i32.store
         (i32.const 4128)
         (i32.const 4101)
        )
        (return)
       )
      )
     )
     (else
      (i32.store16 align=1
       (i32.add
        (local.get $3)
        (local.get $2)
       )
       (i32.load
        (i32.const 4204)
       )
      )
     )
    )
    (i32.store
     (i32.const 4128)
     (i32.const 4101)
    )
    (call $execOne)
    (return)
    (i32.store
     (i32.const 4128)
     (i32.const 4102)
    )
    (return)
   )
  )
 )
)
