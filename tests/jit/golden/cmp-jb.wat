(module
 (type $0 (func))
 (type $1 (func (param i32 i32 i32 i32)))
 (type $2 (func (param i32 i32 i32 i32) (result i32)))
 (type $3 (func (param i32 i32 i32) (result i32)))
 (import "core" "memory" (memory $mem 1))
 (import "core" "execOne" (func $execOne))
 (import "core" "helper_shift" (func $shift (param i32 i32 i32 i32) (result i32)))
 (import "core" "helper_mul" (func $mul (param i32 i32 i32 i32)))
 (import "core" "helper_div" (func $div (param i32 i32 i32 i32)))
 (import "core" "helper_imul3" (func $imul3 (param i32 i32 i32) (result i32)))
 (export "block" (func $block))
 (func $block
  (local $0 i32)
  (local $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i64)
  (local $18 i64)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 i32)
  (local $26 i32)
  (local $27 i32)
  (local $28 i32)
  (local $29 i32)
  (local $30 i32)
  (local $31 i32)
  (local $32 i32)
  (local $33 i32)
  (block $exit
   (local.set $10
    (i32.load
     (i32.const 4120)
    )
   )
   (local.set $11
    (i32.load
     (i32.const 4124)
    )
   )
   (local.set $12
    (i32.load
     (i32.const 4192)
    )
   )
   (local.set $13
    (i32.load
     (i32.const 4196)
    )
   )
   (local.set $14
    (i32.load
     (i32.const 4200)
    )
   )
   (local.set $15
    (i32.load
     (i32.const 4204)
    )
   )
   (local.set $33
    (i32.load
     (i32.const 4220)
    )
   )
   (local.set $17
    (i64.load
     (i32.const 4224)
    )
   )
   (local.set $18
    (i64.load
     (i32.const 4232)
    )
   )
   (loop $dispatch
    (block $b0
     (br_table $b0 $b0
      (local.get $0)
     )
    )
    (loop $l0
     (block
      (local.set $10
       (i32.and
        (i32.add
         (local.get $10)
         (i32.const 1)
        )
        (i32.const 65535)
       )
      )
      (local.set $15
       (i32.sub
        (local.get $10)
        (local.get $11)
       )
      )
      (local.set $13
       (local.get $10)
      )
      (local.set $14
       (local.get $11)
      )
      (local.set $12
       (i32.const 4098)
      )
      (if
       (i32.lt_u
        (i32.and
         (local.get $13)
         (i32.const 65535)
        )
        (i32.and
         (local.get $14)
         (i32.const 65535)
        )
       )
       (then
        (local.set $17
         (i64.add
          (local.get $17)
          (i64.const 3)
         )
        )
        (if
         (i64.le_s
          (i64.add
           (local.get $17)
           (i64.const 3)
          )
          (local.get $18)
         )
         (then
          (br $l0)
         )
        )
        (local.set $20
         (i32.const 4096)
        )
        (br $exit)
       )
      )
      (local.set $17
       (i64.add
        (local.get $17)
        (i64.const 3)
       )
      )
      (local.set $20
       (i32.const 4101)
      )
      (br $exit)
     )
    )
   )
  )
  (i32.store
   (i32.const 4120)
   (local.get $10)
  )
  (i32.store
   (i32.const 4124)
   (local.get $11)
  )
  (i32.store
   (i32.const 4192)
   (local.get $12)
  )
  (i32.store
   (i32.const 4196)
   (local.get $13)
  )
  (i32.store
   (i32.const 4200)
   (local.get $14)
  )
  (i32.store
   (i32.const 4204)
   (local.get $15)
  )
  (i32.store
   (i32.const 4220)
   (local.get $33)
  )
  (i64.store
   (i32.const 4224)
   (local.get $17)
  )
  (i32.store
   (i32.const 4128)
   (local.get $20)
  )
 )
)
